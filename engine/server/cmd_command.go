package server

import (
	"sort"
	"strings"

	"github.com/redisctl/redisctl/engine/glob"
)

// COMMAND and its subcommands: what redis-cli, cluster-aware clients
// (key positions) and redis-py read about the command table.

func commandCommand() *Command {
	ls := "loading stale"
	acl := "@slow @connection"
	ndo := []string{"nondeterministic_output_order"}
	return &Command{Name: "command", Arity: -1, Flags: ls, ACL: acl, Tips: ndo, Handler: commandAllCommand,
		Group: "server", Since: "2.8.13", Summary: "Get array of Redis command details", Complexity: "O(N) where N is the total number of Redis commands",
		Sub: []*Command{
			{Name: "count", Arity: 2, Flags: ls, ACL: acl, Handler: func(c *Client) { c.addInt(int64(len(c.srv.cmds.byName))) },
				Group: "server", Since: "2.8.13", Summary: "Get total number of Redis commands", Complexity: "O(1)"},
			{Name: "info", Arity: -2, Flags: ls, ACL: acl, Tips: ndo, Handler: commandInfoCommand,
				Group: "server", Since: "2.8.13", Summary: "Get array of specific Redis command details, or all when no argument is given.", Complexity: "O(N) where N is the number of commands to look up"},
			{Name: "docs", Arity: -2, Flags: ls, ACL: acl, Tips: ndo, Handler: commandDocsCommand,
				Group: "server", Since: "7.0.0", Summary: "Get array of specific Redis command documentation", Complexity: "O(N) where N is the number of commands to look up"},
			{Name: "list", Arity: -2, Flags: ls, ACL: acl, Tips: ndo, Handler: commandListCommand,
				Group: "server", Since: "7.0.0", Summary: "Get an array of Redis command names", Complexity: "O(N) where N is the total number of Redis commands"},
			{Name: "getkeys", Arity: -4, Flags: ls, ACL: acl, Handler: func(c *Client) { commandGetKeys(c, false) },
				Group: "server", Since: "2.8.13", Summary: "Extract keys given a full Redis command", Complexity: "O(N) where N is the number of arguments to the command"},
			{Name: "getkeysandflags", Arity: -4, Flags: ls, ACL: acl, Handler: func(c *Client) { commandGetKeys(c, true) },
				Group: "server", Since: "7.0.0", Summary: "Extract keys and access flags given a full Redis command", Complexity: "O(N) where N is the number of arguments to the command"},
			{Name: "help", Arity: 2, Flags: ls, ACL: acl, Handler: commandHelpCommand,
				Group: "server", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

func commandAllCommand(c *Client) {
	names := c.srv.cmds.sortedNames()
	c.addArrayLen(len(names))
	for _, n := range names {
		c.addCommandInfo(c.srv.cmds.byName[n])
	}
}

func commandInfoCommand(c *Client) {
	if len(c.argv) == 2 {
		commandAllCommand(c)
		return
	}
	c.addArrayLen(len(c.argv) - 2)
	for _, a := range c.argv[2:] {
		if cmd := c.srv.lookupFullName(string(a)); cmd != nil {
			c.addCommandInfo(cmd)
		} else {
			c.addNull()
		}
	}
}

// lookupFullName finds "get" or "config|get".
func (s *Server) lookupFullName(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, ok := strings.Cut(name, "|")
	cmd := s.cmds.byName[parent]
	if cmd == nil || !ok {
		return cmd
	}
	return cmd.sub[sub]
}

func (c *Client) addCommandInfo(cmd *Command) {
	c.addArrayLen(10)
	c.addBulkStr(cmd.fullName)
	c.addInt(int64(cmd.Arity))
	c.addSimpleSet(commandFlagNames(cmd))
	c.addInt(int64(cmd.firstKey))
	c.addInt(int64(cmd.lastKey))
	c.addInt(int64(cmd.keyStep))
	c.addSimpleSet(strings.Fields(cmd.ACL))
	c.addSetLen(len(cmd.Tips))
	for _, t := range cmd.Tips {
		c.addBulkStr(t)
	}
	c.addSetLen(len(cmd.Keys))
	for _, k := range cmd.Keys {
		c.addKeySpec(k)
	}
	if len(cmd.Sub) == 0 {
		c.addSetLen(0)
		return
	}
	c.addArrayLen(len(cmd.Sub))
	for _, s := range cmd.Sub {
		c.addCommandInfo(s)
	}
}

// commandFlagNames lists the flags COMMAND INFO shows; like Redis it hides
// may_replicate, which only the server acts on.
func commandFlagNames(cmd *Command) []string {
	var out []string
	for _, fn := range flagNames {
		if cmd.flags&fn.f != 0 && fn.f != FlagMayReplicate {
			out = append(out, fn.name)
		}
	}
	return out
}

func (c *Client) addKeySpec(k KeySpec) {
	if k.Notes != "" {
		c.addMapLen(4)
		c.addBulkStr("notes")
		c.addBulkStr(k.Notes)
	} else {
		c.addMapLen(3)
	}
	c.addBulkStr("flags")
	c.addSimpleSet(strings.Fields(k.Flags))
	c.addBulkStr("begin_search")
	c.addMapLen(2)
	c.addBulkStr("type")
	switch {
	case k.Unknown:
		c.addBulkStr("unknown")
		c.addBulkStr("spec")
		c.addMapLen(0)
	case k.Keyword != "":
		c.addBulkStr("keyword")
		c.addBulkStr("spec")
		c.addMapLen(2)
		c.addBulkStr("keyword")
		c.addBulkStr(k.Keyword)
		c.addBulkStr("startfrom")
		c.addInt(int64(k.StartFrom))
	default:
		c.addBulkStr("index")
		c.addBulkStr("spec")
		c.addMapLen(1)
		c.addBulkStr("index")
		c.addInt(int64(k.Index))
	}
	c.addBulkStr("find_keys")
	c.addMapLen(2)
	c.addBulkStr("type")
	switch {
	case k.Unknown:
		c.addBulkStr("unknown")
		c.addBulkStr("spec")
		c.addMapLen(0)
	case k.KeyNum:
		c.addBulkStr("keynum")
		c.addBulkStr("spec")
		c.addMapLen(3)
		c.addBulkStr("keynumidx")
		c.addInt(int64(k.KeyNumIdx))
		c.addBulkStr("firstkey")
		c.addInt(int64(k.FirstKey))
		c.addBulkStr("keystep")
		c.addInt(int64(k.KeyStep))
	default:
		c.addBulkStr("range")
		c.addBulkStr("spec")
		c.addMapLen(3)
		c.addBulkStr("lastkey")
		c.addInt(int64(k.LastKey))
		c.addBulkStr("keystep")
		c.addInt(int64(k.KeyStep))
		c.addBulkStr("limit")
		c.addInt(int64(k.Limit))
	}
}

func commandDocsCommand(c *Client) {
	var cmds []*Command
	if len(c.argv) == 2 {
		for _, n := range c.srv.cmds.sortedNames() {
			cmds = append(cmds, c.srv.cmds.byName[n])
		}
	} else {
		for _, a := range c.argv[2:] {
			if cmd := c.srv.lookupFullName(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.addMapLen(len(cmds))
	for _, cmd := range cmds {
		c.addBulkStr(cmd.fullName)
		c.addCommandDocs(cmd)
	}
}

// docMeta is the part of a command's documentation about its past:
// doc_flags, deprecation and history (see commandDocMeta).
type docMeta struct {
	docFlags        []string
	deprecatedSince string
	replacedBy      string
	history         [][2]string
}

// addCommandDocs writes a command's COMMAND DOCS map, fields in Redis's
// order.
func (c *Client) addCommandDocs(cmd *Command) {
	meta := commandDocMeta[cmd.fullName]
	n := 3
	for _, present := range []bool{cmd.Complexity != "", len(meta.docFlags) > 0, meta.deprecatedSince != "", meta.replacedBy != "",
		len(meta.history) > 0, len(cmd.argDocs) > 0, len(cmd.Sub) > 0} {
		if present {
			n++
		}
	}
	c.addMapLen(n)
	c.addBulkStr("summary")
	c.addBulkStr(cmd.Summary)
	c.addBulkStr("since")
	c.addBulkStr(cmd.Since)
	c.addBulkStr("group")
	c.addBulkStr(cmd.Group)
	c.addOptionalField("complexity", cmd.Complexity)
	if len(meta.docFlags) > 0 {
		c.addBulkStr("doc_flags")
		c.addSimpleSet(meta.docFlags)
	}
	c.addOptionalField("deprecated_since", meta.deprecatedSince)
	c.addOptionalField("replaced_by", meta.replacedBy)
	if len(meta.history) > 0 {
		c.addBulkStr("history")
		c.addSetLen(len(meta.history))
		for _, h := range meta.history {
			c.addArrayLen(2)
			c.addBulkStr(h[0])
			c.addBulkStr(h[1])
		}
	}
	if len(cmd.argDocs) > 0 {
		c.addBulkStr("arguments")
		c.addArgDocs(cmd.argDocs)
	}
	if len(cmd.Sub) > 0 {
		c.addBulkStr("subcommands")
		c.addMapLen(len(cmd.Sub))
		for _, s := range cmd.Sub {
			c.addBulkStr(s.fullName)
			c.addCommandDocs(s)
		}
	}
}

func commandListCommand(c *Client) {
	var filter func(cmd *Command) bool
	switch {
	case len(c.argv) == 2:
	case len(c.argv) == 5 && argIs(c.argv[2], "filterby"):
		val := string(c.argv[4])
		switch {
		case argIs(c.argv[3], "module"):
			filter = func(*Command) bool { return false }
		case argIs(c.argv[3], "aclcat"):
			filter = func(cmd *Command) bool {
				for _, a := range strings.Fields(cmd.ACL) {
					if strings.EqualFold(a[1:], val) {
						return true
					}
				}
				return false
			}
		case argIs(c.argv[3], "pattern"):
			filter = func(cmd *Command) bool { return glob.MatchString(val, cmd.fullName, true) }
		default:
			c.addError(errSyntax)
			return
		}
	default:
		c.addError(errSyntax)
		return
	}
	var names []string
	for _, cmd := range c.srv.cmds.all {
		if _, top := c.srv.cmds.byName[cmd.Name]; cmd.parent == nil && !top {
			continue // renamed away
		}
		if filter == nil || filter(cmd) {
			names = append(names, cmd.fullName)
		}
	}
	sort.Strings(names)
	c.addArrayLen(len(names))
	for _, n := range names {
		c.addBulkStr(n)
	}
}

func commandHelpCommand(c *Client) {
	c.addHelp(
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	)
}
