package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/aof"
)

// aofState is the AOF directory while appendonly is on.
type aofState struct {
	dir      string
	names    aof.Names
	m        *aof.Manifest
	baseSize int64 // size of the base file
	closed   int64 // sizes of the incremental files no longer appended to
	rwBase   int64 // aof_base_size: the AOF's size after the last rewrite
}

func (s *Server) aofDir() string      { return s.cfg.Path("appenddirname") }
func (s *Server) aofNames() aof.Names { return aof.Names{Prefix: s.cfg.Get("appendfilename")} }

// currentSize is aof_current_size.
func (p *persistence) aofCurrentSize() int64 {
	p.mu.Lock()
	a := p.aofState
	var n int64
	if a != nil {
		n = a.baseSize + a.closed
	}
	p.mu.Unlock()
	if a == nil {
		return 0
	}
	if l := p.aofLog.Load(); l != nil {
		n += l.Size()
	}
	return n
}

// loadData loads the dataset at start: the AOF when appendonly is on and
// one exists, else the RDB file.
func (p *persistence) loadData() error {
	s := p.s
	p.loading.Store(true)
	s.ks.SetLoading(true)
	// Loading allocates what stays live, with little garbage: collecting
	// as often as usual only rescans the growing keyspace (a quarter of
	// the load's CPU). The memory limit, when maxmemory sets one, still
	// bounds the heap.
	gc := debug.SetGCPercent(800)
	defer func() {
		debug.SetGCPercent(gc)
		s.ks.SetLoading(false)
		p.loading.Store(false)
	}()
	if s.cfg.Bool("appendonly") {
		loaded, err := p.loadAOF()
		if err != nil || loaded {
			return err
		}
	}
	err := p.loadRDBFile(s.rdbPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB: %v. Exiting.", err)
	}
	return nil
}

// loadAOF replays the AOF directory; false when there is none.
func (p *persistence) loadAOF() (bool, error) {
	s := p.s
	dir, names := s.aofDir(), s.aofNames()
	m, err := aof.ReadManifest(dir, names)
	if err != nil {
		return false, fmt.Errorf("Failed to load the AOF manifest %s: %v", filepath.Join(dir, names.Manifest()), err)
	}
	if m == nil {
		if m, err = p.upgradeLegacyAOF(dir, names); err != nil || m == nil {
			if m == nil && err == nil {
				s.logf(levelNotice, "appendonly is on but no AOF exists in %s: loading the RDB file if there is one", dir)
			}
			return false, err
		}
	}
	start := time.Now()
	c := s.newLoaderClient()
	ld := &aof.Loader{
		Dir:             dir,
		LoadRDB:         p.loadPreamble,
		Exec:            c.replay,
		RepairTruncated: s.cfg.Bool("aof-load-truncated"),
		Warn:            func(f string, a ...any) { s.logf(levelWarning, f, a...) },
		Manifest:        names.Manifest(),
	}
	st, err := ld.Load(m)
	if err != nil {
		return false, errors.New(err.Error())
	}
	if c.flags&flagMulti != 0 {
		// A complete MULTI without EXEC cannot reach here (the reader
		// reports it as truncated); discard defensively.
		c.discardTransaction()
	}
	p.mu.Lock()
	p.aofState = &aofState{dir: dir, names: names, m: m}
	p.mu.Unlock()
	s.logf(levelNotice, "DB loaded from append only file: %.3f seconds (%d commands)", time.Since(start).Seconds(), st.Commands)
	return true, nil
}

// upgradeLegacyAOF turns a Redis 6 single-file AOF (appendfilename in
// dir) into a multi-part AOF whose base is that file, as Redis 7 does.
func (p *persistence) upgradeLegacyAOF(dir string, names aof.Names) (*aof.Manifest, error) {
	s := p.s
	legacy := s.cfg.Path("appendfilename")
	if _, err := os.Stat(legacy); err != nil {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(legacy, filepath.Join(dir, filepath.Base(legacy))); err != nil {
		return nil, err
	}
	m := &aof.Manifest{Base: &aof.FileInfo{Name: filepath.Base(legacy), Seq: 1, Type: aof.Base}}
	if err := aof.WriteManifest(dir, names, m); err != nil {
		return nil, err
	}
	s.logf(levelNotice, "Successfully migrated an old-style AOF into the AOF directory %s.", dir)
	return m, nil
}

// newLoaderClient is the client AOF commands run as while loading.
func (s *Server) newLoaderClient() *Client {
	c := &Client{srv: s, proto: 2, authed: true, db: s.ks.DB(0)}
	c.stats = &loopStats{cmds: make([]cmdStat, len(s.cmds.all))}
	c.multiCount.Store(-1)
	return c
}

// replay runs one AOF command.
func (c *Client) replay(argv [][]byte) error {
	cmd := c.srv.cmds.lookup(argv[0])
	if cmd != nil && cmd.sub != nil && len(argv) >= 2 {
		if sub := cmd.sub[strings.ToLower(string(argv[1]))]; sub != nil {
			cmd = sub
		}
	}
	if cmd == nil {
		return fmt.Errorf("Unknown command '%s'", trunc(argv[0], 128))
	}
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		return fmt.Errorf("Invalid arity for command '%s'", cmd.fullName)
	}
	c.argv, c.cmd = argv, cmd
	switch {
	case cmd.Name == "multi":
		c.call(cmd)
	case cmd.Name == "exec":
		c.call(cmd)
	case c.flags&flagMulti != 0:
		c.queueMulti()
	default:
		c.call(cmd)
	}
	c.out = c.out[:0]
	return nil
}

// openAOFOnStart opens the AOF for appending after the data is loaded:
// the last incremental file of the manifest, or a new one (with a base
// written from memory when there is no AOF yet).
func (p *persistence) openAOFOnStart() error {
	s := p.s
	p.mu.Lock()
	a := p.aofState
	p.mu.Unlock()
	if a == nil {
		// No AOF yet: create it from memory, as Redis 7 does.
		dir, names := s.aofDir(), s.aofNames()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("Can't open or create append-only dir %s: %v", dir, err)
		}
		a = &aofState{dir: dir, names: names, m: &aof.Manifest{}}
		if err := p.writeBaseForeground(a); err != nil {
			return fmt.Errorf("Creating the AOF base file failed: %v", err)
		}
	}
	var f *os.File
	var size int64
	if n := len(a.m.Incr); n > 0 {
		last := a.m.Incr[n-1]
		path := filepath.Join(a.dir, last.Name)
		var err error
		f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("Can't open the append-only file %s: %v", last.Name, err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		size = fi.Size()
		for _, inc := range a.m.Incr[:n-1] {
			if st, err := os.Stat(filepath.Join(a.dir, inc.Name)); err == nil {
				a.closed += st.Size()
			}
		}
	} else {
		var err error
		if f, err = p.newIncr(a); err != nil {
			return err
		}
	}
	if a.m.Base != nil {
		if st, err := os.Stat(filepath.Join(a.dir, a.m.Base.Name)); err == nil {
			a.baseSize = st.Size()
		}
	}
	a.rwBase = a.baseSize + a.closed + size
	p.deleteHistory(a)
	l := p.newLog(f, size)
	p.mu.Lock()
	p.aofState = a
	p.mu.Unlock()
	p.aofLog.Store(l)
	return nil
}

// newIncr creates the next incremental file and records it in the
// manifest (persisted).
func (p *persistence) newIncr(a *aofState) (*os.File, error) {
	seq := a.m.LastIncrSeq() + 1
	name := a.names.Incr(seq)
	f, err := os.OpenFile(filepath.Join(a.dir, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("Can't open the append-only file %s: %v", name, err)
	}
	a.m.Incr = append(a.m.Incr, aof.FileInfo{Name: name, Seq: seq, Type: aof.Incr})
	if err := aof.WriteManifest(a.dir, a.names, a.m); err != nil {
		f.Close()
		a.m.Incr = a.m.Incr[:len(a.m.Incr)-1]
		return nil, fmt.Errorf("Can't persist the AOF manifest: %v", err)
	}
	return f, nil
}

// baseTarget returns the temporary and final paths of the next base.
func (p *persistence) baseTarget(a *aofState) (tmp, final, name string, seq int64) {
	seq = 1
	if a.m.Base != nil {
		seq = a.m.Base.Seq + 1
	}
	name = a.names.Base(seq, p.s.cfg.Bool("aof-use-rdb-preamble"))
	return filepath.Join(a.dir, "temp-rewriteaof-bg-"+strconv.Itoa(os.Getpid())+".aof"), filepath.Join(a.dir, name), name, seq
}

// writeBaseForeground writes a base from memory with every command
// stopped (the server is starting) and installs it as the only file.
func (p *persistence) writeBaseForeground(a *aofState) error {
	tmp, final, name, seq := p.baseTarget(a)
	preamble := p.s.cfg.Bool("aof-use-rdb-preamble")
	j, err := p.s.beginSnapshot(tmp, final, true, !preamble)
	if err != nil {
		return err
	}
	if err := j.finish(); err != nil {
		return err
	}
	p.installBase(a, name, seq, 0)
	return aof.WriteManifest(a.dir, a.names, a.m)
}

// installBase makes name the base and every incremental file before
// keepFrom (an index in m.Incr) history.
func (p *persistence) installBase(a *aofState, name string, seq int64, keepFrom int) {
	if a.m.Base != nil {
		old := *a.m.Base
		old.Type = aof.History
		a.m.History = append(a.m.History, old)
	}
	for _, inc := range a.m.Incr[:keepFrom] {
		inc.Type = aof.History
		a.m.History = append(a.m.History, inc)
	}
	a.m.Incr = append([]aof.FileInfo(nil), a.m.Incr[keepFrom:]...)
	a.m.Base = &aof.FileInfo{Name: name, Seq: seq, Type: aof.Base}
}

// deleteHistory removes the files the manifest marks as history.
func (p *persistence) deleteHistory(a *aofState) {
	if len(a.m.History) == 0 {
		return
	}
	for _, h := range a.m.History {
		if err := os.Remove(filepath.Join(a.dir, h.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			p.s.logf(levelWarning, "Removing the history file %s failed: %v", h.Name, err)
		}
	}
	a.m.History = nil
	if err := aof.WriteManifest(a.dir, a.names, a.m); err != nil {
		p.s.logf(levelWarning, "Can't persist the AOF manifest: %v", err)
	}
}

// startRewrite starts BGREWRITEAOF: the AOF switches to a new incremental
// file at the same instant a snapshot starts, the snapshot becomes the
// new base, and once it is durable the manifest drops the older files.
// held tells whether the caller holds the server's exclusive lock.
func (p *persistence) startRewrite(held bool) error {
	return p.rewrite(held, false)
}

// rewrite runs a rewrite; turnOn is the first one after appendonly was
// switched on, which also creates the log.
func (p *persistence) rewrite(held, turnOn bool) error {
	s := p.s
	if err := p.lockSnapshotSlot(held); err != nil {
		return err
	}
	if turnOn && !p.turningOn {
		// CONFIG SET appendonly no came first.
		p.mu.Unlock()
		p.unlockWorld(held)
		return nil
	}
	p.snapBusy = true
	p.rw.running, p.rw.scheduled = true, false
	p.rw.start = time.Now()
	a := p.aofState
	p.mu.Unlock()
	aofOn := turnOn || p.aofLog.Load() != nil
	j, keepFrom, a, err := p.beginRewrite(a, turnOn)
	p.unlockWorld(held)
	if err != nil {
		s.logf(levelWarning, "Can't rewrite append only file in background: %v", err)
		p.rewriteDone(err)
		return err
	}
	s.logf(levelNotice, "Background append only file rewriting started")
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		err := j.finish()
		switch {
		case err == nil && aofOn && p.aofLog.Load() == nil:
			// appendonly was turned off meanwhile (Redis kills the
			// rewrite): the new base must not become part of an AOF whose
			// incremental file stopped.
			os.Remove(j.path)
			err = errors.New("the AOF was turned off during the rewrite")
		case err == nil:
			err = p.commitRewrite(a, j, keepFrom)
		}
		p.rewriteDone(err)
	}()
	return nil
}

// beginRewrite runs under the exclusive lock: a new incremental file
// (when the AOF is on, or being turned on) and the snapshot start.
func (p *persistence) beginRewrite(a *aofState, turnOn bool) (*snapshotJob, int, *aofState, error) {
	s := p.s
	if a == nil || turnOn {
		dir, names := s.aofDir(), s.aofNames()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, 0, nil, err
		}
		var m *aof.Manifest
		if !turnOn {
			// AOF off: write a base and a manifest all the same, as
			// Redis 7 does.
			m, _ = aof.ReadManifest(dir, names)
		}
		if m == nil {
			m = &aof.Manifest{}
		}
		a = &aofState{dir: dir, names: names, m: m}
	}
	// a is shared with INFO and the cron once installed: its fields change
	// under p.mu.
	p.mu.Lock()
	keepFrom := len(a.m.Incr)
	p.mu.Unlock()
	switch l := p.aofLog.Load(); {
	case turnOn:
		// The manifest must not name the new incremental file before the
		// base it follows exists: create the file, persist later.
		seq := a.m.LastIncrSeq() + 1
		name := a.names.Incr(seq)
		f, err := os.OpenFile(filepath.Join(a.dir, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
		if err != nil {
			return nil, 0, a, err
		}
		p.mu.Lock()
		a.m.Incr = append(a.m.Incr, aof.FileInfo{Name: name, Seq: seq, Type: aof.Incr})
		keepFrom = len(a.m.Incr) - 1
		p.aofState = a
		p.mu.Unlock()
		p.aofLog.Store(p.newLog(f, 0))
	case l != nil:
		p.mu.Lock()
		f, err := p.newIncr(a)
		p.mu.Unlock()
		if err != nil {
			return nil, 0, a, err
		}
		old, err := l.Rotate(f)
		if err != nil {
			return nil, 0, a, err
		}
		var size int64
		if st, err := old.Stat(); err == nil {
			size = st.Size()
		}
		old.Close()
		p.mu.Lock()
		a.closed += size
		keepFrom = len(a.m.Incr) - 1
		p.mu.Unlock()
	}
	p.mu.Lock()
	tmp, final, _, _ := p.baseTarget(a)
	p.mu.Unlock()
	preamble := s.cfg.Bool("aof-use-rdb-preamble")
	j, err := s.beginSnapshot(tmp, final, true, !preamble)
	return j, keepFrom, a, err
}

// commitRewrite installs a finished base in the manifest.
func (p *persistence) commitRewrite(a *aofState, j *snapshotJob, keepFrom int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _, name, seq := p.baseTarget(a)
	if filepath.Base(j.path) != name {
		return fmt.Errorf("base file name changed during the rewrite")
	}
	p.installBase(a, name, seq, keepFrom)
	if err := aof.WriteManifest(a.dir, a.names, a.m); err != nil {
		return err
	}
	if st, err := os.Stat(j.path); err == nil {
		a.baseSize = st.Size()
	}
	a.closed = 0
	if l := p.aofLog.Load(); l != nil {
		a.rwBase = a.baseSize + l.Size()
	} else {
		a.rwBase = a.baseSize
	}
	p.deleteHistory(a)
	if p.aofLog.Load() != nil {
		p.aofState = a
	}
	return nil
}

func (p *persistence) rewriteDone(err error) {
	s := p.s
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snapBusy = false
	p.rw.running = false
	p.rw.lastDur = time.Since(p.rw.start)
	p.rw.lastOK = err == nil
	if err != nil {
		p.rw.failures++
		s.logf(levelWarning, "Background AOF rewrite failed: %v", err)
		return
	}
	p.rw.failures = 0
	p.rw.count++
	s.logf(levelNotice, "Background AOF rewrite finished successfully")
}

// autoRewriteDue checks auto-aof-rewrite-percentage/-min-size.
func (p *persistence) autoRewriteDue() bool {
	s := p.s
	pct := s.cfg.Int("auto-aof-rewrite-percentage")
	if pct <= 0 || p.aofLog.Load() == nil {
		return false
	}
	p.mu.Lock()
	a := p.aofState
	failures, lastStart := p.rw.failures, p.rw.start
	var rwBase int64
	if a != nil {
		rwBase = a.rwBase
	}
	p.mu.Unlock()
	if a == nil || failures > 0 && time.Since(lastStart) < time.Minute {
		return false
	}
	cur := p.aofCurrentSize()
	if cur < s.cfg.Int("auto-aof-rewrite-min-size") {
		return false
	}
	base := max(rwBase, 1)
	if (cur-base)*100/base >= pct {
		s.logf(levelNotice, "Starting automatic rewriting of AOF on %d%% growth", (cur-base)*100/base)
		return true
	}
	return false
}

// startAOF turns appendonly on while running (CONFIG SET appendonly yes):
// in the background, once no other snapshot runs, propagation into a new
// incremental file starts at the instant a snapshot for the base does;
// the manifest names both only once the base is durable. Until then a
// crash leaves no AOF, and the RDB file is what loads.
func (p *persistence) startAOF() {
	s := p.s
	dir, names := s.aofDir(), s.aofNames()
	// Whatever AOF the directory holds is stale.
	os.Remove(filepath.Join(dir, names.Manifest()))
	p.mu.Lock()
	p.rw.scheduled = true
	p.turningOn = true
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			err := p.rewrite(false, true)
			if err != errSnapshotBusy {
				p.mu.Lock()
				p.turningOn = false
				p.mu.Unlock()
				if err != nil {
					s.logf(levelWarning, "Unable to turn on AOF: %v", err)
				}
				return
			}
			select {
			case <-p.done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
}

// stopAOF turns appendonly off: the log is flushed, fsynced and closed.
func (p *persistence) stopAOF() {
	if l := p.aofLog.Swap(nil); l != nil {
		if err := l.Close(); err != nil {
			p.s.logf(levelWarning, "Error closing the AOF: %v", err)
		}
	}
	p.mu.Lock()
	p.aofState = nil
	p.mu.Unlock()
}

// newLog appends to the incremental file f. A failed write or fsync makes
// write commands fail with MISCONF until the AOF can be written again.
func (p *persistence) newLog(f *os.File, size int64) *aof.Log {
	return aof.NewLog(f, size, aof.ParsePolicy(p.s.cfg.Get("appendfsync")), func(err error) {
		p.denying.Store(true)
		p.s.logf(levelWarning, "Error writing to the AOF file: %v", err)
	})
}
