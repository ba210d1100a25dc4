package server

import (
	"strings"

	"github.com/redisctl/redisctl/engine/config"
)

// CONFIG GET/SET/RESETSTAT/REWRITE/HELP.

func configCommand() *Command {
	admin := "admin noscript loading stale"
	acl := "@admin @slow @dangerous"
	return &Command{Name: "config", Arity: -2, ACL: "@slow", Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "get", Arity: -3, Flags: admin, ACL: acl, Handler: configGetCommand,
				Group: "server", Since: "2.0.0", Summary: "Get the values of configuration parameters", Complexity: "O(N) when N is the number of configuration parameters provided"},
			{Name: "set", Arity: -4, Flags: admin, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}, Handler: configSetCommand,
				Group: "server", Since: "2.0.0", Summary: "Set configuration parameters to the given values", Complexity: "O(N) when N is the number of configuration parameters provided"},
			{Name: "resetstat", Arity: 2, Flags: admin, ACL: acl, Handler: func(c *Client) { c.srv.resetStats(); c.addOK() },
				Group: "server", Since: "2.0.0", Summary: "Reset the stats returned by INFO", Complexity: "O(1)"},
			{Name: "rewrite", Arity: 2, Flags: admin, ACL: acl, Handler: configRewriteCommand,
				Group: "server", Since: "2.8.0", Summary: "Rewrite the configuration file with the in memory configuration", Complexity: "O(1)"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: configHelpCommand,
				Group: "server", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

func configGetCommand(c *Client) {
	seen := map[string]bool{}
	var pairs []config.Pair
	for _, pat := range c.argv[2:] {
		for _, p := range c.srv.cfg.Match(string(pat)) {
			if !seen[p.Name] {
				seen[p.Name] = true
				pairs = append(pairs, p)
			}
		}
	}
	c.addMapLen(len(pairs))
	for _, p := range pairs {
		c.addBulkStr(p.Name)
		c.addBulkStr(p.Value)
	}
}

func configSetCommand(c *Client) {
	if len(c.argv)%2 != 0 {
		c.addError(errSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.argv)-2)/2)
	for i := 2; i+1 < len(c.argv); i += 2 {
		pairs = append(pairs, [2]string{string(c.argv[i]), string(c.argv[i+1])})
	}
	if err := c.srv.cfg.Set(pairs); err != nil {
		c.addError(err.Error())
		return
	}
	c.addOK()
}

func configRewriteCommand(c *Client) {
	if err := c.srv.cfg.Rewrite(); err != nil {
		if err == config.ErrNoConfigFile {
			c.addError("ERR " + err.Error())
			return
		}
		c.srv.logf(levelWarning, "CONFIG REWRITE failed: %v", err)
		c.addError("ERR Rewriting config file: " + strings.TrimPrefix(err.Error(), "open "))
		return
	}
	c.srv.logf(levelNotice, "CONFIG REWRITE executed with success.")
	c.addOK()
}

func configHelpCommand(c *Client) {
	c.addHelp(
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	)
}
