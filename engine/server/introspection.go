package server

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/redisctl/redisctl/engine/keyspace"
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
			Group: "server", Since: "1.0.0", Summary: "A container for debugging commands.", Complexity: "Depends on subcommand."},
		{Name: "wait", Arity: 3, Flags: "noscript", ACL: "@slow @connection", Tips: []string{"request_policy:all_shards", "response_policy:agg_min"}, Handler: waitCommand,
			Group: "generic", Since: "3.0.0", Summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", Complexity: "O(1)"},
		{Name: "role", Arity: 1, Flags: "noscript loading stale fast", ACL: "@admin @fast @dangerous", Handler: roleCommand,
			Group: "server", Since: "2.8.12", Summary: "Returns the replication role.", Complexity: "O(1)"},
		{Name: "lastsave", Arity: 1, Flags: "loading stale fast", ACL: "@admin @fast @dangerous", Tips: []string{"nondeterministic_output"},
			Handler: func(c *Client) { c.addInt(c.srv.stats.lastSave.Load()) },
			Group:   "server", Since: "1.0.0", Summary: "Returns the Unix timestamp of the last successful save to disk.", Complexity: "O(1)"},
		{Name: "readonly", Arity: 1, Flags: "loading stale fast", ACL: "@fast @connection", Handler: clusterDisabled,
			Group: "cluster", Since: "3.0.0", Summary: "Enables read-only queries for a connection to a Redis Cluster replica node.", Complexity: "O(1)"},
		{Name: "readwrite", Arity: 1, Flags: "loading stale fast", ACL: "@fast @connection", Handler: clusterDisabled,
			Group: "cluster", Since: "3.0.0", Summary: "Enables read-write queries for a connection to a Reids Cluster replica node.", Complexity: "O(1)"},
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
			Group: "connection", Since: "3.0.0", Summary: "Suspends commands processing.", Complexity: "O(1)"},
		{Name: "unpause", Arity: 2, Flags: admin, ACL: aacl, Handler: func(c *Client) { c.srv.unpauseClients(); c.addOK() },
			Group: "connection", Since: "6.2.0", Summary: "Resumes processing commands from paused clients.", Complexity: "O(N) Where N is the number of paused clients"},
		{Name: "unblock", Arity: -3, Flags: admin, ACL: aacl, Handler: clientUnblockCommand,
			Group: "connection", Since: "5.0.0", Summary: "Unblocks a client blocked by a blocking command from a different connection.", Complexity: "O(log N) where N is the number of client connections"},
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
		c.addInt(1)
	} else {
		c.addInt(0)
	}
}

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
		Summary: "A container for slow log commands.", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "get", Arity: -2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "nondeterministic_output"}, Handler: slowlogGetCommand,
				Group: "server", Since: "2.2.12", Summary: "Returns the slow log's entries.", Complexity: "O(N) where N is the number of entries returned"},
			{Name: "len", Arity: 2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
				Handler: func(c *Client) {
					c.srv.slowlog.mu.Lock()
					n := len(c.srv.slowlog.entries)
					c.srv.slowlog.mu.Unlock()
					c.addInt(int64(n))
				}, Group: "server", Since: "2.2.12", Summary: "Returns the number of entries in the slow log.", Complexity: "O(1)"},
			{Name: "reset", Arity: 2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Handler: func(c *Client) {
					c.srv.slowlog.mu.Lock()
					c.srv.slowlog.entries = nil
					c.srv.slowlog.mu.Unlock()
					c.addOK()
				}, Group: "server", Since: "2.2.12", Summary: "Clears all entries from the slow log.", Complexity: "O(N) where N is the number of entries in the slowlog"},
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

// LATENCY.

type latencySample struct{ at, ms int64 }

type latencyEvent struct {
	samples []latencySample // oldest first, at most 160
	max     int64
}

type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencyEvent
}

func (l *latencyMonitor) add(event string, ms int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = map[string]*latencyEvent{}
	}
	ev := l.events[event]
	if ev == nil {
		ev = &latencyEvent{}
		l.events[event] = ev
	}
	now := time.Now().Unix()
	if n := len(ev.samples); n > 0 && ev.samples[n-1].at == now {
		ev.samples[n-1].ms = max(ev.samples[n-1].ms, ms)
	} else {
		ev.samples = append(ev.samples, latencySample{now, ms})
		if len(ev.samples) > 160 {
			ev.samples = ev.samples[1:]
		}
	}
	ev.max = max(ev.max, ms)
}

func latencyCommand() *Command {
	f := "admin noscript loading stale"
	acl := "@admin @slow @dangerous"
	tips := []string{"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}
	return &Command{Name: "latency", Arity: -2, ACL: "@slow", Group: "server", Since: "2.8.13",
		Summary: "A container for latency diagnostics commands.", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "latest", Arity: 2, Flags: f, ACL: acl, Tips: tips, Handler: latencyLatestCommand,
				Group: "server", Since: "2.8.13", Summary: "Returns the latest latency samples for all events.", Complexity: "O(1)"},
			{Name: "history", Arity: 3, Flags: f, ACL: acl, Tips: tips, Handler: latencyHistoryCommand,
				Group: "server", Since: "2.8.13", Summary: "Returns timestamp-latency samples for an event.", Complexity: "O(1)"},
			{Name: "reset", Arity: -2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}, Handler: latencyResetCommand,
				Group: "server", Since: "2.8.13", Summary: "Resets the latency data for one or more events.", Complexity: "O(1)"},
			{Name: "doctor", Arity: 2, Flags: f, ACL: acl, Tips: tips, Handler: latencyDoctorCommand,
				Group: "server", Since: "2.8.13", Summary: "Returns a human-readable latency analysis report.", Complexity: "O(1)"},
			{Name: "graph", Arity: 3, Flags: f, ACL: acl, Tips: tips, Handler: latencyGraphCommand,
				Group: "server", Since: "2.8.13", Summary: "Returns a latency graph for an event.", Complexity: "O(1)"},
			{Name: "histogram", Arity: -2, Flags: f, ACL: acl, Tips: tips, Handler: latencyHistogramCommand,
				Group: "server", Since: "7.0.0", Summary: "Returns the cumulative distribution of latencies of a subset or all commands.", Complexity: "O(N) where N is the number of commands with latency information being retrieved."},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: func(c *Client) {
				c.addHelp(
					"DOCTOR",
					"    Return a human readable latency analysis report.",
					"GRAPH <event>",
					"    Return an ASCII latency graph for the <event> class.",
					"HISTORY <event>",
					"    Return time-latency samples for the <event> class.",
					"LATEST",
					"    Return the latest latency samples for all events.",
					"RESET [<event> ...]",
					"    Reset latency data of one or more <event> classes.",
					"    (default: reset all data for all event classes)",
					"HISTOGRAM [COMMAND ...]",
					"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
					"    If no commands are specified then all histograms are replied.",
				)
			}, Group: "server", Since: "2.8.13", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)"},
		}}
}

func latencyLatestCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.events))
	for n := range l.events {
		names = append(names, n)
	}
	c.addArrayLen(len(names))
	for _, n := range names {
		ev := l.events[n]
		last := ev.samples[len(ev.samples)-1]
		c.addArrayLen(4)
		c.addBulkStr(n)
		c.addInt(last.at)
		c.addInt(last.ms)
		c.addInt(ev.max)
	}
}

func latencyHistoryCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[string(c.argv[2])]
	if ev == nil {
		c.addArrayLen(0)
		return
	}
	c.addArrayLen(len(ev.samples))
	for _, s := range ev.samples {
		c.addArrayLen(2)
		c.addInt(s.at)
		c.addInt(s.ms)
	}
}

func latencyResetCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	if len(c.argv) == 2 {
		n = len(l.events)
		l.events = nil
	} else {
		for _, a := range c.argv[2:] {
			if _, ok := l.events[string(a)]; ok {
				delete(l.events, string(a))
				n++
			}
		}
	}
	c.addInt(int64(n))
}

func latencyDoctorCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	n := len(l.events)
	l.mu.Unlock()
	var text string
	if n == 0 {
		if c.srv.cfg.Int("latency-monitor-threshold") == 0 {
			text = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
		} else {
			text = "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n"
		}
	} else {
		text = fmt.Sprintf("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n%d event(s) were recorded; see LATENCY LATEST.\n", n)
	}
	c.addVerbatim([]byte(text))
}

func latencyGraphCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[string(c.argv[2])]
	if ev == nil {
		c.addError("ERR No samples available for event '" + sanitize(c.argv[2]) + "'")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", c.argv[2], ev.max, ev.samples[0].ms, ev.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	for _, s := range ev.samples {
		fmt.Fprintf(&b, "%d %d\n", s.at, s.ms)
	}
	c.addVerbatim([]byte(b.String()))
}

func latencyHistogramCommand(c *Client) {
	var cmds []*Command
	if len(c.argv) == 2 {
		cmds = c.srv.cmds.all
	} else {
		for _, a := range c.argv[2:] {
			if cmd := c.srv.lookupFullName(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	type row struct {
		name  string
		calls int64
		hist  [latencyBuckets]int64
	}
	var rows []row
	for _, cmd := range cmds {
		if calls, hist := c.srv.latencyHistogram(cmd); calls > 0 {
			rows = append(rows, row{cmd.fullName, calls, hist})
		}
	}
	c.addMapLen(len(rows))
	for _, r := range rows {
		c.addBulkStr(r.name)
		c.addMapLen(2)
		c.addBulkStr("calls")
		c.addInt(r.calls)
		c.addBulkStr("histogram_usec")
		// Cumulative counts at power-of-two microsecond bounds, as Redis
		// reports them.
		type point struct{ usec, n int64 }
		var pts []point
		var cum int64
		for b, n := range r.hist {
			cum += n
			if n == 0 {
				continue
			}
			usec := max(int64(uint64(1)<<uint(b))/1000, 1)
			if len(pts) > 0 && pts[len(pts)-1].usec == usec {
				pts[len(pts)-1].n = cum
				continue
			}
			pts = append(pts, point{usec, cum})
		}
		c.addMapLen(len(pts))
		for _, p := range pts {
			c.addInt(p.usec)
			c.addInt(p.n)
		}
	}
}

// MEMORY.

func memoryCommand() *Command {
	return &Command{Name: "memory", Arity: -2, ACL: "@slow", Group: "server", Since: "4.0.0",
		Summary: "A container for memory diagnostics commands.", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "usage", Arity: -3, Flags: "readonly", ACL: "@read @slow", Keys: one("RO", 2), Handler: memoryUsageCommand,
				Group: "server", Since: "4.0.0", Summary: "Estimates the memory usage of a key.", Complexity: "O(N) where N is the number of samples."},
			{Name: "stats", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, Handler: memoryStatsCommand,
				Group: "server", Since: "4.0.0", Summary: "Returns details about memory usage.", Complexity: "O(1)"},
			{Name: "doctor", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler: func(c *Client) {
					c.addVerbatim([]byte("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"))
				}, Group: "server", Since: "4.0.0", Summary: "Outputs a memory problems report.", Complexity: "O(1)"},
			{Name: "malloc-stats", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler: func(c *Client) {
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					c.addVerbatim([]byte(fmt.Sprintf("Go runtime: heap_alloc=%d heap_inuse=%d heap_sys=%d heap_released=%d num_gc=%d\n",
						ms.HeapAlloc, ms.HeapInuse, ms.HeapSys, ms.HeapReleased, ms.NumGC)))
				}, Group: "server", Since: "4.0.0", Summary: "Returns the allocator statistics.", Complexity: "Depends on how much memory is allocated, could be slow"},
			{Name: "purge", Arity: 2, ACL: "@slow", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
				Handler: func(c *Client) { debug.FreeOSMemory(); c.addOK() },
				Group:   "server", Since: "4.0.0", Summary: "Asks the allocator to release memory.", Complexity: "Depends on how much memory is allocated, could be slow"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: func(c *Client) {
				c.addHelp(
					"DOCTOR",
					"    Return memory problems reports.",
					"MALLOC-STATS",
					"    Return internal statistics report from the memory allocator.",
					"PURGE",
					"    Attempt to purge dirty pages for reclamation by the allocator.",
					"STATS",
					"    Return information about the memory usage of the server.",
					"USAGE <key> [SAMPLES <count>]",
					"    Return memory in bytes used by <key> and its value. Nested values are",
					"    sampled up to <count> times (default: 5, 0 means sample all).",
				)
			}, Group: "server", Since: "4.0.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)"},
		}}
}

func memoryUsageCommand(c *Client) {
	for j := 3; j < len(c.argv); j++ {
		if argIs(c.argv[j], "samples") && j+1 < len(c.argv) {
			n, ok := c.argInt(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.addError(errSyntax)
				return
			}
			j++
			continue
		}
		c.addError(errSyntax)
		return
	}
	e := c.db.Lookup(c.argv[2], c.now, keyspace.NoTouch|keyspace.NoStats)
	if !e.Exists() {
		c.addNull()
		return
	}
	c.addInt(c.db.MemoryUsage(e))
}

func memoryStatsCommand(c *Client) {
	s := c.srv
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := s.usedMemory()
	peak := s.notePeak(used)
	dataset := s.ks.UsedMemory()
	var keys int64
	type dbStat struct {
		id          int
		main, expir int64
	}
	var dbs []dbStat
	for i := 0; i < s.ks.NumDBs(); i++ {
		db := s.ks.DB(i)
		if n := db.Size(); n > 0 {
			keys += n
			main, exp := db.TableOverhead()
			dbs = append(dbs, dbStat{i, main, exp})
		}
	}
	overhead := s.overheadMemory()
	fields := 27 + len(dbs)
	c.addMapLen(fields)
	kv := func(k string, v int64) { c.addBulkStr(k); c.addInt(v) }
	kd := func(k string, v float64) { c.addBulkStr(k); c.addDouble(v) }
	kv("peak.allocated", peak)
	kv("total.allocated", used)
	kv("startup.allocated", s.stats.startupMem)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", s.clientsMemory.Load())
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range dbs {
		c.addBulkStr(fmt.Sprintf("db.%d", d.id))
		c.addMapLen(2)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expir)
	}
	kv("overhead.total", overhead)
	kv("keys.count", keys)
	per := int64(0)
	if keys > 0 {
		per = (used - s.stats.startupMem) / keys
	}
	kv("keys.bytes-per-key", per)
	kv("dataset.bytes", dataset)
	kd("dataset.percentage", float64(dataset)*100/float64(max(used-s.stats.startupMem, 1)))
	kd("peak.percentage", float64(used)*100/float64(max(peak, 1)))
	kv("allocator.allocated", int64(ms.HeapAlloc))
	kv("allocator.active", int64(ms.HeapInuse))
	kv("allocator.resident", int64(ms.HeapSys-ms.HeapReleased))
	kd("allocator-fragmentation.ratio", float64(ms.HeapInuse)/float64(max(ms.HeapAlloc, 1)))
	kv("allocator-fragmentation.bytes", int64(ms.HeapInuse)-int64(ms.HeapAlloc))
	rss := readRSS()
	kd("allocator.rss-ratio", float64(rss)/float64(max(ms.HeapInuse, 1)))
	kv("allocator.rss-bytes", rss-int64(ms.HeapInuse))
	kd("rss-overhead.ratio", 1)
	kv("rss-overhead.bytes", 0)
	kd("fragmentation", float64(rss)/float64(max(used, 1)))
	kv("fragmentation.bytes", rss-used)
}

// DEBUG.

func debugCommand(c *Client) {
	switch c.srv.cfg.Get("enable-debug-command") {
	case "yes":
	case "local":
		if !strings.HasPrefix(c.addr, "127.") && !strings.HasPrefix(c.addr, "[::1]") {
			c.addError(errDebugDisabled)
			return
		}
	default:
		c.addError(errDebugDisabled)
		return
	}
	sub := c.argv[1]
	switch {
	case argIs(sub, "help"):
		c.addHelp(
			"OBJECT <key>",
			"    Show low level info about the ziplist encoding of <key>.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Setting it to 0 disables expiring keys in background when they are not",
			"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
			"    default.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
		)
	case argIs(sub, "sleep") && len(c.argv) == 3:
		f, ok := parseLongDouble(c.argv[2])
		if !ok {
			c.addError(errNotFloat)
			return
		}
		v, _ := f.Float64()
		time.Sleep(time.Duration(v * float64(time.Second)))
		c.addOK()
	case argIs(sub, "set-active-expire") && len(c.argv) == 3:
		c.srv.activeExpire.Store(string(c.argv[2]) != "0")
		c.addOK()
	case argIs(sub, "object") && len(c.argv) == 3:
		e := c.db.Lookup(c.argv[2], c.now, keyspace.NoTouch|keyspace.NoStats)
		if !e.Exists() {
			c.addError(errNoSuchKey)
			return
		}
		c.addSimple(fmt.Sprintf("Value at:0x0 refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
			e.Encoding(), c.db.MemoryUsage(e), e.LRU(), c.db.IdleMs(e)/1000))
	default:
		c.addError("ERR unknown subcommand or wrong number of arguments for '" + sanitize(trunc(sub, 128)) + "'. Try DEBUG HELP.")
	}
}

const errDebugDisabled = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
