package server

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// SLOWLOG.

type slowEntry struct {
	id        int64
	at        int64 // unix seconds
	usec      int64
	argv      []string
	peer, who string
}

type slowlog struct {
	mu      sync.Mutex
	entries []slowEntry // newest first
	nextID  int64
}

const (
	slowlogMaxArgc = 32
	slowlogMaxLen  = 128
)

func (s *Server) slowlogAdd(c *Client, cmd *Command, dur time.Duration) {
	limit := s.slowlogThreshold.Load()
	usec := int64(dur / time.Microsecond)
	if limit < 0 || usec < limit || cmd.flags&FlagSkipSlowlog != 0 {
		return
	}
	argc := min(len(c.argv), slowlogMaxArgc)
	argv := make([]string, 0, argc)
	redact := cmd.Name == "auth" || cmd.Name == "hello"
	for i := 0; i < argc; i++ {
		if argc != len(c.argv) && i == argc-1 {
			argv = append(argv, fmt.Sprintf("... (%d more arguments)", len(c.argv)-argc+1))
			break
		}
		a := c.argv[i]
		switch {
		case redact && i > 0:
			argv = append(argv, "(redacted)")
		case len(a) > slowlogMaxLen:
			argv = append(argv, string(a[:slowlogMaxLen])+fmt.Sprintf("... (%d more bytes)", len(a)-slowlogMaxLen))
		default:
			argv = append(argv, string(a))
		}
	}
	name := ""
	if n := c.name.Load(); n != nil {
		name = *n
	}
	sl := &s.slowlog
	sl.mu.Lock()
	e := slowEntry{id: sl.nextID, at: time.Now().Unix(), usec: usec, argv: argv, peer: c.addr, who: name}
	sl.nextID++
	sl.entries = append([]slowEntry{e}, sl.entries...)
	if max := int(s.cfg.Int("slowlog-max-len")); len(sl.entries) > max {
		sl.entries = sl.entries[:max]
	}
	sl.mu.Unlock()
	if th := s.cfg.Int("latency-monitor-threshold"); th > 0 && usec/1000 >= th {
		s.latency.add("command", usec/1000)
	}
}

func slowlogCommand() *Command {
	f := "admin loading stale"
	acl := "@admin @slow @dangerous"
	return &Command{Name: "slowlog", Arity: -2, ACL: "@slow", Group: "server", Since: "2.2.12",
		Summary: "A container for slow log commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "get", Arity: -2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "nondeterministic_output"}, Handler: slowlogGetCommand,
				Group: "server", Since: "2.2.12", Summary: "Get the slow log's entries", Complexity: "O(N) where N is the number of entries returned"},
			{Name: "len", Arity: 2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
				Handler: func(c *Client) {
					c.srv.slowlog.mu.Lock()
					n := len(c.srv.slowlog.entries)
					c.srv.slowlog.mu.Unlock()
					c.addInt(int64(n))
				}, Group: "server", Since: "2.2.12", Summary: "Get the slow log's length", Complexity: "O(1)"},
			{Name: "reset", Arity: 2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Handler: func(c *Client) {
					c.srv.slowlog.mu.Lock()
					c.srv.slowlog.entries = nil
					c.srv.slowlog.mu.Unlock()
					c.addOK()
				}, Group: "server", Since: "2.2.12", Summary: "Clear all entries from the slow log", Complexity: "O(N) where N is the number of entries in the slowlog"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: func(c *Client) {
				c.addHelp(
					"GET [<count>]",
					"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
					"    Entries are made of:",
					"    id, timestamp, time in microseconds, arguments array, client IP and port,",
					"    client name",
					"LEN",
					"    Return the length of the slowlog.",
					"RESET",
					"    Reset the slowlog.",
				)
			}, Group: "server", Since: "6.2.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

func slowlogGetCommand(c *Client) {
	count := int64(10)
	if len(c.argv) > 3 {
		c.addSubcommandSyntaxError()
		return
	}
	if len(c.argv) == 3 {
		n, ok := resp.ParseInt(c.argv[2])
		if !ok || n < -1 {
			c.addError("ERR count should be greater than or equal to -1")
			return
		}
		count = n
		if n == -1 {
			count = math.MaxInt64
		}
	}
	sl := &c.srv.slowlog
	sl.mu.Lock()
	entries := sl.entries
	if int64(len(entries)) > count {
		entries = entries[:count]
	}
	entries = append([]slowEntry(nil), entries...)
	sl.mu.Unlock()
	c.addArrayLen(len(entries))
	for _, e := range entries {
		c.addArrayLen(6)
		c.addInt(e.id)
		c.addInt(e.at)
		c.addInt(e.usec)
		c.addArrayLen(len(e.argv))
		for _, a := range e.argv {
			c.addBulkStr(a)
		}
		c.addBulkStr(e.peer)
		c.addBulkStr(e.who)
	}
}
