package server

import (
	"time"

	"github.com/redisctl/redisctl/engine/aof"
)

// configChanged applies persistence parameters set with CONFIG SET. It
// runs inside CONFIG SET (with the server lock held shared), so what
// needs the exclusive lock happens in the background.
func (p *persistence) configChanged(name string) error {
	s := p.s
	switch name {
	case "appendonly":
		on := s.cfg.Bool("appendonly")
		p.mu.Lock()
		turningOn := p.turningOn
		p.mu.Unlock()
		switch {
		case on && p.aofLog.Load() == nil && !turningOn:
			p.startAOF()
		case !on && (p.aofLog.Load() != nil || turningOn):
			p.mu.Lock()
			p.turningOn = false
			p.rw.scheduled = false
			p.mu.Unlock()
			p.stopAOF()
		}
	case "save", "stop-writes-on-bgsave-error":
		p.denying.Store(true) // writeDenied re-evaluates
	case "appendfsync":
		if l := p.aofLog.Load(); l != nil {
			l.SetPolicy(aof.ParsePolicy(s.cfg.Get("appendfsync")))
		}
	}
	return nil
}

// infoPersistence writes INFO's persistence section.
func (s *Server) infoPersistence(w infoWriter) {
	p := s.persist
	now := time.Now()
	p.mu.Lock()
	bg, rw := p.bg, p.rw
	dirty := s.dirtyCount() - p.dirtySave
	saves, loadKeys, loadExp := p.saves, p.loadKeys, p.loadExp
	turningOn := p.turningOn
	a := p.aofState
	var rwBase int64
	if a != nil {
		rwBase = a.rwBase
	}
	p.mu.Unlock()
	status := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "err"
	}
	secs := func(d time.Duration) int64 { return int64(d / time.Second) }
	running := func(b bgState) int64 {
		if !b.running {
			return -1
		}
		return secs(now.Sub(b.start))
	}
	lastDur := func(b bgState) int64 {
		if b.count == 0 && b.failures == 0 {
			return -1
		}
		return secs(b.lastDur)
	}
	w.header("Persistence")
	w.kv("loading", boolInt(p.loading.Load()))
	w.kv("async_loading", 0)
	w.kv("current_cow_peak", 0)
	w.kv("current_cow_size", 0)
	w.kv("current_cow_size_age", 0)
	w.kv("current_fork_perc", "0.00")
	w.kv("current_save_keys_processed", 0)
	w.kv("current_save_keys_total", 0)
	w.kv("rdb_changes_since_last_save", max(dirty, 0))
	w.kv("rdb_bgsave_in_progress", boolInt(bg.running))
	w.kv("rdb_last_save_time", s.stats.lastSave.Load())
	w.kv("rdb_last_bgsave_status", status(bg.lastOK))
	if bg.count == 0 {
		w.kv("rdb_last_bgsave_time_sec", -1)
	} else {
		w.kv("rdb_last_bgsave_time_sec", secs(bg.lastDur))
	}
	w.kv("rdb_current_bgsave_time_sec", running(bg))
	w.kv("rdb_saves", saves)
	w.kv("rdb_last_cow_size", bg.cowPeak)
	w.kv("rdb_last_load_keys_expired", loadExp)
	w.kv("rdb_last_load_keys_loaded", loadKeys)
	l := p.aofLog.Load()
	w.kv("aof_enabled", boolInt(l != nil || turningOn))
	w.kv("aof_rewrite_in_progress", boolInt(rw.running))
	w.kv("aof_rewrite_scheduled", boolInt(rw.scheduled && !rw.running))
	w.kv("aof_last_rewrite_time_sec", lastDur(rw))
	w.kv("aof_current_rewrite_time_sec", running(rw))
	w.kv("aof_last_bgrewrite_status", status(rw.lastOK))
	w.kv("aof_rewrites", rw.count)
	w.kv("aof_rewrites_consecutive_failures", rw.failures)
	aofStatus := "ok"
	if l != nil && l.Err() != nil {
		aofStatus = "err"
	}
	w.kv("aof_last_write_status", aofStatus)
	w.kv("aof_last_cow_size", 0)
	w.kv("module_fork_in_progress", 0)
	w.kv("module_fork_last_cow_size", 0)
	if l != nil && a != nil {
		w.kv("aof_current_size", p.aofCurrentSize())
		w.kv("aof_base_size", rwBase)
		w.kv("aof_pending_rewrite", boolInt(rw.scheduled))
		w.kv("aof_buffer_length", 0)
		w.kv("aof_pending_bio_fsync", 0)
		w.kv("aof_delayed_fsync", 0)
	}
}
