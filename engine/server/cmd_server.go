package server

import (
	"strings"
	"time"
)

// Server commands: DBSIZE, FLUSHALL, FLUSHDB, INFO, SHUTDOWN, TIME, and the
// transaction commands' table entries.

func serverCommands() []*Command {
	allShards := []string{"request_policy:all_shards", "response_policy:all_succeeded"}
	return []*Command{
		{Name: "dbsize", Arity: 1, Flags: "readonly fast", ACL: "@keyspace @read @fast", Tips: []string{"request_policy:all_shards", "response_policy:agg_sum"},
			Handler: func(c *Client) { c.addInt(c.db.Size()) },
			Group:   "server", Since: "1.0.0", Summary: "Return the number of keys in the selected database", Complexity: "O(1)"},
		{Name: "flushall", Arity: -1, Flags: "write exclusive", ACL: "@keyspace @write @slow @dangerous", Tips: allShards, Handler: flushallCommand,
			Group: "server", Since: "1.0.0", Summary: "Remove all keys from all databases", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "flushdb", Arity: -1, Flags: "write exclusive", ACL: "@keyspace @write @slow @dangerous", Tips: allShards, Handler: flushdbCommand,
			Group: "server", Since: "1.0.0", Summary: "Remove all keys from the current database", Complexity: "O(N) where N is the number of keys in the selected database"},
		{Name: "info", Arity: -1, Flags: "loading stale", ACL: "@slow @dangerous", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
			Handler: infoCommand, Group: "server", Since: "1.0.0", Summary: "Get information and statistics about the server", Complexity: "O(1)"},
		{Name: "shutdown", Arity: -1, Flags: "admin noscript loading stale no_multi allow_busy", ACL: "@admin @slow @dangerous", Handler: shutdownCommand,
			Group: "server", Since: "1.0.0", Summary: "Synchronously save the dataset to disk and then shut down the server", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"},
		{Name: "time", Arity: 1, Flags: "loading stale fast", ACL: "@fast", Tips: []string{"nondeterministic_output"}, Handler: timeCommand,
			Group: "server", Since: "2.6.0", Summary: "Return the current server time", Complexity: "O(1)"},
		{Name: "monitor", Arity: 1, Flags: "admin noscript loading stale", ACL: "@admin @slow @dangerous", Handler: monitorCommand,
			Group: "server", Since: "1.0.0", Summary: "Listen for all requests received by the server in real time", Complexity: ""},
		{Name: "multi", Arity: 1, Flags: "noscript loading stale fast allow_busy", ACL: "@fast @transaction", Handler: multiCommand,
			Group: "transactions", Since: "1.2.0", Summary: "Mark the start of a transaction block", Complexity: "O(1)"},
		{Name: "exec", Arity: 1, Flags: "noscript loading stale skip_slowlog exclusive", ACL: "@slow @transaction", Handler: execCommand,
			Group: "transactions", Since: "1.2.0", Summary: "Execute all commands issued after MULTI", Complexity: "Depends on commands in the transaction"},
		{Name: "discard", Arity: 1, Flags: "noscript loading stale fast allow_busy", ACL: "@fast @transaction", Handler: discardCommand,
			Group: "transactions", Since: "2.0.0", Summary: "Discard all commands issued after MULTI", Complexity: "O(N), when N is the number of queued commands"},
		{Name: "watch", Arity: -2, Flags: "noscript loading stale fast allow_busy", ACL: "@fast @transaction",
			Keys: []KeySpec{keyRange("RO", 1, -1, 1)}, Handler: watchCommand,
			Group: "transactions", Since: "2.2.0", Summary: "Watch the given keys to determine execution of the MULTI/EXEC block", Complexity: "O(1) for every key."},
		{Name: "unwatch", Arity: 1, Flags: "noscript loading stale fast allow_busy", ACL: "@fast @transaction", Handler: unwatchCommand,
			Group: "transactions", Since: "2.2.0", Summary: "Forget about all watched keys", Complexity: "O(1)"},
	}
}

// parseFlushArgs accepts FLUSHALL/FLUSHDB's optional ASYNC or SYNC.
func (c *Client) parseFlushArgs() bool {
	if len(c.argv) > 2 || (len(c.argv) == 2 && !argIs(c.argv[1], "sync") && !argIs(c.argv[1], "async")) {
		c.addError(errSyntax)
		return false
	}
	return true
}

func flushallCommand(c *Client) {
	if !c.parseFlushArgs() {
		return
	}
	for i := 0; i < c.srv.ks.NumDBs(); i++ {
		c.srv.flushDB(i)
		c.srv.blocking.readyInDBs(c, i, i) // the keys waited on are gone
	}
	c.srv.persist.flushedAll()
	c.dirty++
	c.addOK()
}

func flushdbCommand(c *Client) {
	if !c.parseFlushArgs() {
		return
	}
	c.srv.flushDB(c.db.ID())
	c.srv.blocking.readyInDBs(c, c.db.ID(), c.db.ID())
	c.dirty++
	c.addOK()
}

// flushDB empties database i, invalidating WATCHes on keys it held. The
// caller holds the exclusive lock.
func (s *Server) flushDB(i int) {
	db := s.ks.DB(i)
	if db.Size() > 0 {
		s.watches.touchDB(i, func(key string) bool { return db.Exists([]byte(key), time.Now().UnixMilli()) })
	}
	db.Flush()
}

func shutdownCommand(c *Client) {
	req := shutdownRequest{}
	abort, other := false, false
	for _, a := range c.argv[1:] {
		switch {
		case argIs(a, "nosave"):
			req.nosave = true
		case argIs(a, "save"):
			req.save = true
		case argIs(a, "now"), argIs(a, "force"):
			other = true
		case argIs(a, "abort"):
			abort = true
		default:
			c.addError(errSyntax)
			return
		}
	}
	if (abort && (req.save || req.nosave || other)) || (req.save && req.nosave) {
		c.addError(errSyntax)
		return
	}
	if abort {
		// Shutdown here is immediate, so there is never one to abort.
		c.addError("ERR No shutdown in progress.")
		return
	}
	c.srv.logf(levelWarning, "User requested shutdown...")
	select {
	case c.srv.shutdownCh <- req:
	default:
	}
	// Like Redis, the connection closes without a reply.
	c.flags |= flagCloseASAP
}

func timeCommand(c *Client) {
	now := time.Now()
	c.addArrayLen(2)
	c.addBulkInt(now.Unix())
	c.addBulkInt(int64(now.Nanosecond() / 1000))
}

func infoCommand(c *Client) {
	sections := make([]string, 0, len(c.argv)-1)
	for _, a := range c.argv[1:] {
		sections = append(sections, strings.ToLower(string(a)))
	}
	c.addVerbatim([]byte(c.srv.info(sections)))
}
