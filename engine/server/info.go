package server

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
)

// INFO, with Redis's section and field names so tools that parse it work.

var defaultSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}
var allSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}

// info renders the requested sections ("default", "all" and "everything"
// included) in Redis's order.
func (s *Server) info(req []string) string {
	want := map[string]bool{}
	if len(req) == 0 {
		req = []string{"default"}
	}
	for _, r := range req {
		switch r {
		case "default":
			for _, n := range defaultSections {
				want[n] = true
			}
		case "all", "everything":
			for _, n := range allSections {
				want[n] = true
			}
		default:
			want[r] = true
		}
	}
	var b strings.Builder
	for _, name := range allSections {
		if !want[name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		s.infoSection(&b, name)
	}
	return b.String()
}

type infoWriter struct{ b *strings.Builder }

func (w infoWriter) header(name string) { w.b.WriteString("# " + name + "\r\n") }
func (w infoWriter) kv(k string, v any) {
	w.b.WriteString(k)
	w.b.WriteByte(':')
	fmt.Fprint(w.b, v)
	w.b.WriteString("\r\n")
}

func (s *Server) infoSection(b *strings.Builder, name string) {
	w := infoWriter{b}
	switch name {
	case "server":
		s.infoServer(w)
	case "clients":
		s.infoClients(w)
	case "memory":
		s.infoMemory(w)
	case "persistence":
		s.infoPersistence(w)
	case "stats":
		s.infoStats(w)
	case "replication":
		s.infoReplication(w)
	case "cpu":
		s.infoCPU(w)
	case "modules":
		w.header("Modules")
	case "commandstats":
		s.infoCommandStats(w)
	case "errorstats":
		s.infoErrorStats(w)
	case "latencystats":
		s.infoLatencyStats(w)
	case "cluster":
		w.header("Cluster")
		w.kv("cluster_enabled", 0)
	case "keyspace":
		s.infoKeyspace(w)
	}
}

func (s *Server) infoServer(w infoWriter) {
	now := time.Now()
	up := int64(now.Sub(s.start).Seconds())
	w.header("Server")
	w.kv("redis_version", config.RedisVersion)
	w.kv("redis_git_sha1", "00000000")
	w.kv("redis_git_dirty", 0)
	w.kv("redis_build_id", "0")
	w.kv("redis_mode", "standalone")
	w.kv("os", osName())
	w.kv("arch_bits", 64)
	w.kv("monotonic_clock", "POSIX clock_gettime")
	w.kv("multiplexing_api", s.driverName())
	w.kv("atomicvar_api", "c11-builtin")
	w.kv("gcc_version", "0.0.0")
	w.kv("process_id", os.Getpid())
	w.kv("process_supervised", "no")
	w.kv("run_id", s.runID)
	w.kv("tcp_port", s.port)
	w.kv("server_time_usec", now.UnixMicro())
	w.kv("uptime_in_seconds", up)
	w.kv("uptime_in_days", up/86400)
	w.kv("hz", s.cfg.Int("hz"))
	w.kv("configured_hz", s.cfg.Int("hz"))
	w.kv("lru_clock", (now.Unix())&(1<<24-1))
	w.kv("executable", s.opts.Executable)
	w.kv("config_file", s.cfg.File())
	w.kv("io_threads_active", 0)
	w.kv("engine", "redisctl")
	w.kv("go_version", runtime.Version())
}

func (s *Server) driverName() string {
	if _, ok := s.driver.(*stdDriver); ok {
		return "go-netpoll"
	}
	return "epoll"
}

func (s *Server) infoClients(w infoWriter) {
	w.header("Clients")
	w.kv("connected_clients", s.numClients())
	w.kv("cluster_connections", 0)
	w.kv("maxclients", s.cfg.Int("maxclients"))
	w.kv("client_recent_max_input_buffer", 0)
	w.kv("client_recent_max_output_buffer", 0)
	w.kv("blocked_clients", s.blocking.n.Load())
	w.kv("tracking_clients", 0)
	w.kv("clients_in_timeout_table", 0)
}

func (s *Server) infoMemory(w infoWriter) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := s.memoryOverview()
	used, peak := m.used, m.peak
	rss := readRSS()
	total := totalSystemMemory()
	maxmem := s.maxmemory.Load()
	w.header("Memory")
	w.kv("used_memory", used)
	w.kv("used_memory_human", config.FormatMemory(used))
	w.kv("used_memory_rss", rss)
	w.kv("used_memory_rss_human", config.FormatMemory(rss))
	w.kv("used_memory_peak", peak)
	w.kv("used_memory_peak_human", config.FormatMemory(peak))
	w.kv("used_memory_peak_perc", fmt.Sprintf("%.2f%%", float64(used)*100/float64(max(peak, 1))))
	w.kv("used_memory_overhead", m.overhead)
	w.kv("used_memory_startup", s.stats.startupMem)
	w.kv("used_memory_dataset", m.dataset)
	w.kv("used_memory_dataset_perc", fmt.Sprintf("%.2f%%", m.datasetPerc(s.stats.startupMem)))
	w.kv("allocator_allocated", ms.HeapAlloc)
	w.kv("allocator_active", ms.HeapInuse)
	w.kv("allocator_resident", ms.HeapSys-ms.HeapReleased)
	w.kv("total_system_memory", total)
	w.kv("total_system_memory_human", config.FormatMemory(total))
	si := s.scripting.info()
	w.kv("used_memory_lua", si.vmEval)
	w.kv("used_memory_vm_eval", si.vmEval)
	w.kv("used_memory_lua_human", config.FormatMemory(si.vmEval))
	w.kv("used_memory_scripts_eval", si.scriptsEval)
	w.kv("number_of_cached_scripts", si.scripts)
	w.kv("number_of_functions", si.functions)
	w.kv("number_of_libraries", si.libraries)
	w.kv("used_memory_vm_functions", si.vmFunctions)
	w.kv("used_memory_vm_total", si.vmEval+si.vmFunctions)
	w.kv("used_memory_vm_total_human", config.FormatMemory(si.vmEval+si.vmFunctions))
	w.kv("used_memory_functions", si.functionsMem)
	w.kv("used_memory_scripts", si.scriptsEval+si.functionsMem)
	w.kv("used_memory_scripts_human", config.FormatMemory(si.scriptsEval+si.functionsMem))
	w.kv("maxmemory", maxmem)
	w.kv("maxmemory_human", config.FormatMemory(maxmem))
	w.kv("maxmemory_policy", s.cfg.Get("maxmemory-policy"))
	resident := int64(ms.HeapSys - ms.HeapReleased)
	w.kv("allocator_frag_ratio", fmt.Sprintf("%.2f", float64(ms.HeapInuse)/float64(max(ms.HeapAlloc, 1))))
	w.kv("allocator_frag_bytes", int64(ms.HeapInuse)-int64(ms.HeapAlloc))
	w.kv("allocator_rss_ratio", fmt.Sprintf("%.2f", float64(resident)/float64(max(ms.HeapInuse, 1))))
	w.kv("allocator_rss_bytes", resident-int64(ms.HeapInuse))
	w.kv("rss_overhead_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(max(resident, 1))))
	w.kv("rss_overhead_bytes", rss-resident)
	w.kv("mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(max(used, 1))))
	w.kv("mem_fragmentation_bytes", rss-used)
	w.kv("mem_not_counted_for_evict", 0)
	w.kv("mem_replication_backlog", 0)
	w.kv("mem_total_replication_buffers", 0)
	w.kv("mem_clients_slaves", 0)
	w.kv("mem_clients_normal", s.clientsMemory.Load())
	w.kv("mem_cluster_links", 0)
	w.kv("mem_aof_buffer", 0)
	w.kv("mem_allocator", "go-"+runtime.Version())
	w.kv("active_defrag_running", 0)
	w.kv("lazyfree_pending_objects", 0)
	w.kv("lazyfreed_objects", 0)
	w.kv("gc_cycles", ms.NumGC)
	w.kv("gc_heap_goal", ms.NextGC)
}

func (s *Server) notePeak(used int64) int64 {
	for {
		p := s.peakMem.Load()
		if used <= p || s.peakMem.CompareAndSwap(p, used) {
			return max(p, used)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) infoStats(w infoWriter) {
	commands, netIn, netOut, _ := s.totals()
	ks := s.ks.Stats()
	var errs int64
	s.errMu.Lock()
	for _, n := range s.errCounts {
		errs += n
	}
	s.errMu.Unlock()
	w.header("Stats")
	w.kv("total_connections_received", s.stats.connections.Load())
	w.kv("total_commands_processed", commands)
	w.kv("instantaneous_ops_per_sec", s.rates.instOps.Load())
	w.kv("total_net_input_bytes", netIn)
	w.kv("total_net_output_bytes", netOut)
	w.kv("total_net_repl_input_bytes", 0)
	w.kv("total_net_repl_output_bytes", 0)
	w.kv("instantaneous_input_kbps", fmt.Sprintf("%.2f", float64(s.rates.instInKB.Load())/100))
	w.kv("instantaneous_output_kbps", fmt.Sprintf("%.2f", float64(s.rates.instOutKB.Load())/100))
	w.kv("instantaneous_input_repl_kbps", "0.00")
	w.kv("instantaneous_output_repl_kbps", "0.00")
	w.kv("rejected_connections", s.stats.rejected.Load())
	w.kv("sync_full", 0)
	w.kv("sync_partial_ok", 0)
	w.kv("sync_partial_err", 0)
	w.kv("expired_keys", ks.Expired)
	w.kv("expired_stale_perc", "0.00")
	w.kv("expired_time_cap_reached_count", 0)
	w.kv("expire_cycle_cpu_milliseconds", 0)
	w.kv("evicted_keys", ks.Evicted)
	w.kv("evicted_clients", 0)
	w.kv("total_eviction_exceeded_time", 0)
	w.kv("current_eviction_exceeded_time", 0)
	w.kv("keyspace_hits", ks.Hits)
	w.kv("keyspace_misses", ks.Misses)
	w.kv("pubsub_channels", s.pubsub.numChannels())
	w.kv("pubsub_patterns", s.pubsub.numPatterns())
	w.kv("pubsubshard_channels", s.pubsub.numShardChannels())
	w.kv("latest_fork_usec", 0)
	w.kv("total_forks", 0)
	w.kv("migrate_cached_sockets", 0)
	w.kv("slave_expires_tracked_keys", 0)
	w.kv("active_defrag_hits", 0)
	w.kv("active_defrag_misses", 0)
	w.kv("active_defrag_key_hits", 0)
	w.kv("active_defrag_key_misses", 0)
	w.kv("total_active_defrag_time", 0)
	w.kv("current_active_defrag_time", 0)
	w.kv("tracking_total_keys", 0)
	w.kv("tracking_total_items", 0)
	w.kv("tracking_total_prefixes", 0)
	w.kv("unexpected_error_replies", 0)
	w.kv("total_error_replies", errs)
	w.kv("dump_payload_sanitizations", 0)
	w.kv("total_reads_processed", 0)
	w.kv("total_writes_processed", 0)
	w.kv("io_threaded_reads_processed", 0)
	w.kv("io_threaded_writes_processed", 0)
	w.kv("reply_buffer_shrinks", 0)
	w.kv("reply_buffer_expands", 0)
}

func (s *Server) infoReplication(w infoWriter) {
	w.header("Replication")
	w.kv("role", "master")
	w.kv("connected_slaves", 0)
	w.kv("master_failover_state", "no-failover")
	w.kv("master_replid", s.runID)
	w.kv("master_replid2", strings.Repeat("0", 40))
	w.kv("master_repl_offset", 0)
	w.kv("second_repl_offset", -1)
	w.kv("repl_backlog_active", 0)
	w.kv("repl_backlog_size", s.cfg.Int("repl-backlog-size"))
	w.kv("repl_backlog_first_byte_offset", 0)
	w.kv("repl_backlog_histlen", 0)
}

func (s *Server) infoCPU(w infoWriter) {
	user, sys := cpuTimes()
	w.header("CPU")
	w.kv("used_cpu_sys", fmt.Sprintf("%.6f", sys))
	w.kv("used_cpu_user", fmt.Sprintf("%.6f", user))
	w.kv("used_cpu_sys_children", "0.000000")
	w.kv("used_cpu_user_children", "0.000000")
	w.kv("used_cpu_sys_main_thread", fmt.Sprintf("%.6f", sys))
	w.kv("used_cpu_user_main_thread", fmt.Sprintf("%.6f", user))
}

func (s *Server) infoCommandStats(w infoWriter) {
	w.header("Commandstats")
	for _, cmd := range s.cmds.all {
		var calls, usec, rejected, failed int64
		for _, l := range s.loops {
			st := &l.cmds[cmd.id]
			calls += st.calls.Load()
			usec += st.usec.Load()
			rejected += st.rejected.Load()
			failed += st.failed.Load()
		}
		if calls == 0 && rejected == 0 && failed == 0 {
			continue
		}
		per := 0.0
		if calls > 0 {
			per = float64(usec) / float64(calls)
		}
		w.kv("cmdstat_"+cmd.fullName, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d", calls, usec, per, rejected, failed))
	}
}

func (s *Server) infoErrorStats(w infoWriter) {
	w.header("Errorstats")
	s.errMu.Lock()
	codes := make([]string, 0, len(s.errCounts))
	for code := range s.errCounts {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		w.kv("errorstat_"+code, fmt.Sprintf("count=%d", s.errCounts[code]))
	}
	s.errMu.Unlock()
}

func (s *Server) infoKeyspace(w infoWriter) {
	w.header("Keyspace")
	now := time.Now().UnixMilli()
	for i := 0; i < s.ks.NumDBs(); i++ {
		db := s.ks.DB(i)
		keys := db.Size()
		if keys == 0 {
			continue
		}
		w.kv("db"+strconv.Itoa(i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", keys, db.Expires(), avgTTL(db, now)))
	}
}

func avgTTL(db *keyspace.DB, now int64) int64 {
	if db.Expires() == 0 {
		return 0
	}
	return db.AvgTTL(now)
}

func (s *Server) infoLatencyStats(w infoWriter) {
	w.header("Latencystats")
	if !s.latencyTracking.Load() {
		return
	}
	var pcts []float64
	for _, f := range strings.Fields(s.cfg.Get("latency-tracking-info-percentiles")) {
		if v, err := strconv.ParseFloat(f, 64); err == nil {
			pcts = append(pcts, v)
		}
	}
	for _, cmd := range s.cmds.all {
		calls, hist := s.latencyHistogram(cmd)
		if calls == 0 {
			continue
		}
		parts := make([]string, len(pcts))
		for i, p := range pcts {
			parts[i] = "p" + strconv.FormatFloat(p, 'f', -1, 64) + "=" + strconv.FormatFloat(latencyPercentile(hist, calls, p), 'f', 3, 64)
		}
		w.kv("latency_percentiles_usec_"+cmd.fullName, strings.Join(parts, ","))
	}
}
