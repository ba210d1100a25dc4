package server

import (
	"math"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// Introspection and admin commands: SLOWLOG, LATENCY, MEMORY, DEBUG, WAIT,
// ROLE, LASTSAVE, and CLIENT PAUSE/UNPAUSE/UNBLOCK.

func introspectionCommands() []*Command {
	return []*Command{
		slowlogCommand(),
		latencyCommand(),
		memoryCommand(),
		{Name: "debug", Arity: -2, Flags: "admin noscript loading stale", ACL: "@admin @slow @dangerous", Handler: debugCommand,
			Group: "server", Since: "1.0.0", Summary: "A container for debugging commands", Complexity: "Depends on subcommand."},
		{Name: "wait", Arity: 3, Flags: "noscript", ACL: "@slow @connection", Tips: []string{"request_policy:all_shards", "response_policy:agg_min"}, Handler: waitCommand,
			Group: "generic", Since: "3.0.0", Summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", Complexity: "O(1)"},
		{Name: "role", Arity: 1, Flags: "noscript loading stale fast", ACL: "@admin @fast @dangerous", Handler: roleCommand,
			Group: "server", Since: "2.8.12", Summary: "Return the role of the instance in the context of replication", Complexity: "O(1)"},
		{Name: "lastsave", Arity: 1, Flags: "loading stale fast", ACL: "@admin @fast @dangerous", Tips: []string{"nondeterministic_output"},
			Handler: func(c *Client) { c.addInt(c.srv.stats.lastSave.Load()) },
			Group:   "server", Since: "1.0.0", Summary: "Get the UNIX time stamp of the last successful save to disk", Complexity: "O(1)"},
		{Name: "readonly", Arity: 1, Flags: "loading stale fast", ACL: "@fast @connection", Handler: clusterDisabled,
			Group: "cluster", Since: "3.0.0", Summary: "Enables read queries for a connection to a cluster replica node", Complexity: "O(1)"},
		{Name: "readwrite", Arity: 1, Flags: "loading stale fast", ACL: "@fast @connection", Handler: clusterDisabled,
			Group: "cluster", Since: "3.0.0", Summary: "Disables read queries for a connection to a cluster replica node", Complexity: "O(1)"},
	}
}

func clusterDisabled(c *Client) { c.addError("ERR This instance has cluster support disabled") }

// parseTimeout parses a blocking timeout as Redis does: seconds as a float
// (BLPOP...) or integer milliseconds (WAIT, CLIENT PAUSE). 0 means forever.
func (c *Client) parseTimeout(arg []byte, seconds bool) (time.Duration, bool) {
	var ms int64
	if seconds {
		f, ok := parseLongDouble(arg)
		if !ok {
			c.addError("ERR timeout is not a float or out of range")
			return 0, false
		}
		v, _ := f.Float64()
		ms = int64(math.Ceil(v * 1000))
		if math.IsInf(v, 0) || v*1000 > math.MaxInt64/2 {
			c.addError("ERR timeout is out of range")
			return 0, false
		}
	} else {
		n, ok := resp.ParseInt(arg)
		if !ok {
			c.addError("ERR timeout is not an integer or out of range")
			return 0, false
		}
		ms = n
	}
	if ms < 0 {
		c.addError("ERR timeout is negative")
		return 0, false
	}
	if ms > math.MaxInt64-c.now {
		c.addError("ERR timeout is out of range")
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

func waitCommand(c *Client) {
	n, ok := c.argInt(1)
	if !ok {
		return
	}
	timeout, ok := c.parseTimeout(c.argv[2], false)
	if !ok {
		return
	}
	if n <= 0 || !c.mayBlock() {
		c.addInt(0)
		return
	}
	c.blockFor(timeout, func(c *Client) { c.addInt(0) })
}

func roleCommand(c *Client) {
	c.addArrayLen(3)
	c.addBulkStr("master")
	c.addInt(0)
	c.addArrayLen(0)
}

// Client pause and unblock, registered under CLIENT.
func clientPauseCommands() []*Command {
	admin := "admin noscript loading stale"
	aacl := "@admin @slow @dangerous @connection"
	return []*Command{
		{Name: "pause", Arity: -3, Flags: admin, ACL: aacl, Handler: clientPauseCommand,
			Group: "connection", Since: "2.9.50", Summary: "Stop processing commands from clients for some time", Complexity: "O(1)"},
		{Name: "unpause", Arity: 2, Flags: admin, ACL: aacl, Handler: func(c *Client) { c.srv.unpauseClients(); c.addOK() },
			Group: "connection", Since: "6.2.0", Summary: "Resume processing of clients that were paused", Complexity: "O(N) Where N is the number of paused clients"},
		{Name: "unblock", Arity: -3, Flags: admin, ACL: aacl, Handler: clientUnblockCommand,
			Group: "connection", Since: "5.0.0", Summary: "Unblock a client blocked in a blocking command from a different connection", Complexity: "O(log N) where N is the number of client connections"},
	}
}

func clientPauseCommand(c *Client) {
	if len(c.argv) > 4 {
		c.addSubcommandSyntaxError()
		return
	}
	writeOnly := false
	if len(c.argv) == 4 {
		switch {
		case argIs(c.argv[3], "write"):
			writeOnly = true
		case argIs(c.argv[3], "all"):
		default:
			c.addError("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	d, ok := c.parseTimeout(c.argv[2], false)
	if !ok {
		return
	}
	c.srv.pauseClients(d, writeOnly)
	c.addOK()
}

func clientUnblockCommand(c *Client) {
	if len(c.argv) > 4 {
		c.addSubcommandSyntaxError()
		return
	}
	id, ok := c.argInt(2)
	if !ok {
		return
	}
	withError := false
	if len(c.argv) == 4 {
		switch {
		case argIs(c.argv[3], "timeout"):
		case argIs(c.argv[3], "error"):
			withError = true
		default:
			c.addError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	if c.srv.unblockClient(id, withError) {
		if withError {
			// Redis counts the error it writes to the target against
			// CLIENT UNBLOCK too (failed_calls).
			c.flags |= flagErrored
		}
		c.addInt(1)
	} else {
		c.addInt(0)
	}
}
