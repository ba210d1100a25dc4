package server

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/redisctl/redisctl/engine/keyspace"
)

// MEMORY.

func memoryCommand() *Command {
	return &Command{Name: "memory", Arity: -2, ACL: "@slow", Group: "server", Since: "4.0.0",
		Summary: "A container for memory diagnostics commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "usage", Arity: -3, Flags: "readonly", ACL: "@read @slow", Keys: one("RO", 2), Handler: memoryUsageCommand,
				Group: "server", Since: "4.0.0", Summary: "Estimate the memory usage of a key", Complexity: "O(N) where N is the number of samples."},
			{Name: "stats", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, Handler: memoryStatsCommand,
				Group: "server", Since: "4.0.0", Summary: "Show memory usage details", Complexity: "O(1)"},
			{Name: "doctor", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler: func(c *Client) {
					c.addVerbatim([]byte("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"))
				}, Group: "server", Since: "4.0.0", Summary: "Outputs memory problems report", Complexity: "O(1)"},
			{Name: "malloc-stats", Arity: 2, ACL: "@slow", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler: func(c *Client) {
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					c.addVerbatim([]byte(fmt.Sprintf("Go runtime: heap_alloc=%d heap_inuse=%d heap_sys=%d heap_released=%d num_gc=%d\n",
						ms.HeapAlloc, ms.HeapInuse, ms.HeapSys, ms.HeapReleased, ms.NumGC)))
				}, Group: "server", Since: "4.0.0", Summary: "Show allocator internal stats", Complexity: "Depends on how much memory is allocated, could be slow"},
			{Name: "purge", Arity: 2, ACL: "@slow", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
				Handler: func(c *Client) { debug.FreeOSMemory(); c.addOK() },
				Group:   "server", Since: "4.0.0", Summary: "Ask the allocator to release memory", Complexity: "Depends on how much memory is allocated, could be slow"},
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
			}, Group: "server", Since: "4.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
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

// memoryOverview is the split of used memory that INFO memory and MEMORY
// STATS report, with Redis's definitions: overhead is what is not the
// data (startup, clients, the key tables), the dataset the rest.
type memoryOverview struct {
	used, peak, overhead, dataset, keys int64
	dbs                                 []dbOverhead
}

type dbOverhead struct {
	id          int
	main, expir int64
}

func (s *Server) memoryOverview() memoryOverview {
	m := memoryOverview{used: s.usedMemory()}
	m.peak = s.notePeak(m.used)
	m.overhead = s.overheadMemory()
	for i := 0; i < s.ks.NumDBs(); i++ {
		db := s.ks.DB(i)
		if n := db.Size(); n > 0 {
			m.keys += n
			main, exp := db.TableOverhead()
			m.dbs = append(m.dbs, dbOverhead{i, main, exp})
			m.overhead += main + exp
		}
	}
	m.dataset = max(m.used-m.overhead, 0)
	return m
}

// datasetPerc is the dataset's share of the memory used since startup.
func (m memoryOverview) datasetPerc(startup int64) float64 {
	return float64(m.dataset) * 100 / float64(max(m.used-startup, 1))
}

func memoryStatsCommand(c *Client) {
	s := c.srv
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := s.memoryOverview()
	c.addMapLen(27 + len(m.dbs))
	kv := func(k string, v int64) { c.addBulkStr(k); c.addInt(v) }
	kd := func(k string, v float64) { c.addBulkStr(k); c.addDouble(v) }
	kv("peak.allocated", m.peak)
	kv("total.allocated", m.used)
	kv("startup.allocated", s.stats.startupMem)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", s.clientsMemory.Load())
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range m.dbs {
		c.addBulkStr(fmt.Sprintf("db.%d", d.id))
		c.addMapLen(3)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expir)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", m.overhead)
	kv("keys.count", m.keys)
	per := int64(0)
	if m.keys > 0 {
		per = (m.used - s.stats.startupMem) / m.keys
	}
	kv("keys.bytes-per-key", per)
	kv("dataset.bytes", m.dataset)
	kd("dataset.percentage", m.datasetPerc(s.stats.startupMem))
	kd("peak.percentage", float64(m.used)*100/float64(max(m.peak, 1)))
	kv("allocator.allocated", int64(ms.HeapAlloc))
	kv("allocator.active", int64(ms.HeapInuse))
	kv("allocator.resident", int64(ms.HeapSys-ms.HeapReleased))
	kd("allocator-fragmentation.ratio", float64(ms.HeapInuse)/float64(max(ms.HeapAlloc, 1)))
	kv("allocator-fragmentation.bytes", int64(ms.HeapInuse)-int64(ms.HeapAlloc))
	rss := readRSS()
	kd("allocator-rss.ratio", float64(rss)/float64(max(ms.HeapInuse, 1)))
	kv("allocator-rss.bytes", rss-int64(ms.HeapInuse))
	kd("rss-overhead.ratio", 1)
	kv("rss-overhead.bytes", 0)
	kd("fragmentation", float64(rss)/float64(max(m.used, 1)))
	kv("fragmentation.bytes", rss-m.used)
}
