package server

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/engine/aof"
)

// persistence is the server's RDB and AOF machinery: loading at start,
// snapshots (SAVE, BGSAVE, save points), the AOF (appending every write,
// fsync policies, rewrites) and the final save at shutdown. Snapshots are
// point-in-time without fork: the keyspace hands every key to the
// snapshot before its first change (keyspace.BeginSnapshot), so one
// snapshot (BGSAVE or AOF rewrite) runs at a time.
type persistence struct {
	s       *Server
	loading atomic.Bool
	aofLog  atomic.Pointer[aof.Log] // set while the AOF is on
	// denying is set when a persistence error may make write commands
	// fail with MISCONF; writeDenied decides.
	denying atomic.Bool
	// fatal stops the process on an error Redis cannot continue from (a
	// failed write under appendfsync always); tests replace it.
	fatal func(msg string)

	mu           sync.Mutex
	snapBusy     bool // a BGSAVE or AOF rewrite snapshot is running
	bg           bgState
	rw           bgState // AOF rewrites
	saves        int64
	dirtySave    int64 // dirty counter when the last good save started
	lastTry      time.Time
	loadKeys     int64
	loadExp      int64
	savePointMsg string // log line of the last save point reached
	turningOn    bool   // appendonly was set to yes; the first rewrite is pending
	aofState     *aofState
	done         chan struct{} // closed when the background loop must stop
	wg           sync.WaitGroup
}

// bgState tracks one kind of background job (BGSAVE, AOF rewrite).
type bgState struct {
	running, scheduled bool
	start              time.Time
	lastOK             bool
	lastDur            time.Duration
	failures           int
	count              int64
	dirtyAtStart       int64
	cowPeak            int64
}

func newPersistence(s *Server) *persistence {
	p := &persistence{s: s, done: make(chan struct{})}
	p.bg.lastOK, p.rw.lastOK = true, true
	p.lastTry = time.Unix(0, 0)
	p.fatal = func(msg string) {
		s.logf(levelWarning, "%s", msg)
		os.Exit(1)
	}
	return p
}

// Propagate appends a write to the AOF (the server's Propagator).
func (p *persistence) Propagate(db int, argv [][]byte) {
	if l := p.aofLog.Load(); l != nil {
		l.Append(db, argv)
	}
}

// beforeReplies runs before a network loop writes replies: what the AOF
// holds for the commands being answered is written (and under
// appendfsync always, fsynced) first, as Redis does in beforeSleep.
func (s *Server) beforeReplies() {
	l := s.persist.aofLog.Load()
	if l == nil || !l.Pending() {
		return
	}
	if err := l.Flush(); err != nil && aof.Policy(l.Policy()) == aof.FsyncAlways {
		s.persist.fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...: " + err.Error())
	}
}

// Redis's replies to writes while persistence is failing.
const errBgsaveMisconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
	"Commands that may modify the data set are disabled, because this instance is configured to report errors during writes " +
	"if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

// writeDenied returns the MISCONF error write commands (and PING) get
// while the last BGSAVE failed (with save points and
// stop-writes-on-bgsave-error yes) or the AOF cannot be written, as
// Redis's writeCommandsDeniedByDiskError; "" when writes may go on.
func (p *persistence) writeDenied() string {
	s := p.s
	if s.isReplica() {
		return ""
	}
	p.mu.Lock()
	bgFailed := !p.bg.lastOK
	p.mu.Unlock()
	if bgFailed && s.cfg.Bool("stop-writes-on-bgsave-error") && len(strings.Fields(s.cfg.Get("save"))) >= 2 {
		return errBgsaveMisconf
	}
	if l := p.aofLog.Load(); l != nil {
		if err := l.Err(); err != nil {
			return "MISCONF Errors writing to the AOF file: " + errnoText(err)
		}
	}
	p.denying.Store(false) // set again by the next failure or CONFIG SET
	return ""
}

// errnoText is strerror's text for a failed system call ("No space left
// on device").
func errnoText(err error) string {
	var errno syscall.Errno
	msg := err.Error()
	if errors.As(err, &errno) {
		msg = errno.Error()
	}
	if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}

// flushedAll runs after FLUSHALL: with save points configured Redis
// saves the (now empty) dataset at once, so that a crash cannot bring the
// flushed keys back from an older dump. The caller holds the exclusive
// lock; a running snapshot ends first (its walk needs no such lock).
func (p *persistence) flushedAll() {
	if len(strings.Fields(p.s.cfg.Get("save"))) < 2 || p.loading.Load() {
		return
	}
	p.waitJobs()
	p.saveForeground() // failures are logged and show in INFO
}

// dirty returns the server's change counter.
func (s *Server) dirtyCount() int64 {
	_, _, _, d := s.totals()
	return d
}

// start loads the data (the AOF when appendonly is on, else the RDB),
// opens the AOF and starts the background loop. Run calls it before
// serving clients.
func (p *persistence) start() error {
	s := p.s
	s.cfg.OnChange(p.configChanged)
	p.removeStaleTempFiles()
	if err := p.loadData(); err != nil {
		return err
	}
	if s.cfg.Bool("appendonly") {
		if err := p.openAOFOnStart(); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.dirtySave = s.dirtyCount()
	p.mu.Unlock()
	p.wg.Add(1)
	go p.loop()
	return nil
}

// loop does what Redis's serverCron does for persistence: save points,
// scheduled jobs, automatic AOF rewrites.
func (p *persistence) loop() {
	defer p.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.cron(now)
		}
	}
}

func (p *persistence) cron(now time.Time) {
	s := p.s
	p.mu.Lock()
	busy := p.snapBusy
	bgSched, rwSched := p.bg.scheduled, p.rw.scheduled
	p.mu.Unlock()
	if busy {
		return
	}
	p.mu.Lock()
	turningOn := p.turningOn
	p.mu.Unlock()
	switch {
	case rwSched && !turningOn:
		p.startRewrite(false)
		return
	case bgSched:
		p.startBgsave(false)
		return
	}
	if p.savePointReached(now) {
		s.logf(levelNotice, "%s", p.savePointMsg)
		p.startBgsave(false)
		return
	}
	if p.autoRewriteDue() {
		p.startRewrite(false)
	}
}

// savePointReached checks the save <seconds> <changes> points.
func (p *persistence) savePointReached(now time.Time) bool {
	points := strings.Fields(p.s.cfg.Get("save"))
	if len(points) < 2 {
		return false
	}
	p.mu.Lock()
	dirty := p.s.dirtyCount() - p.dirtySave
	lastOK, lastTry := p.bg.lastOK, p.lastTry
	p.mu.Unlock()
	elapsed := now.Unix() - p.s.stats.lastSave.Load()
	for i := 0; i+1 < len(points); i += 2 {
		secs, _ := strconv.ParseInt(points[i], 10, 64)
		changes, _ := strconv.ParseInt(points[i+1], 10, 64)
		// After a failed save Redis retries only every 5 seconds.
		if dirty >= changes && elapsed > secs && (lastOK || now.Sub(lastTry) > 5*time.Second) {
			p.mu.Lock()
			p.savePointMsg = strconv.FormatInt(changes, 10) + " changes in " + strconv.FormatInt(secs, 10) + " seconds. Saving..."
			p.mu.Unlock()
			return true
		}
	}
	return false
}

// shutdown stops the background loop, waits for running jobs, saves the
// RDB when asked to (or when save points are configured and NOSAVE was
// not given) and closes the AOF after a last fsync.
func (p *persistence) shutdown(req shutdownRequest) error {
	close(p.done)
	p.wg.Wait()
	p.waitJobs()
	s := p.s
	var err error
	if l := p.aofLog.Load(); l != nil {
		s.logf(levelNotice, "Calling fsync() on the AOF file.")
		if cerr := l.Close(); cerr != nil {
			s.logf(levelWarning, "Error closing the AOF file: %v", cerr)
			err = cerr
		}
		p.aofLog.Store(nil)
	}
	if !req.nosave && (req.save || len(strings.Fields(s.cfg.Get("save"))) >= 2) {
		s.logf(levelNotice, "Saving the final RDB snapshot before exiting.")
		if serr := p.saveForeground(); serr != nil {
			s.logf(levelWarning, "Error trying to save the DB, can't exit.")
			return errors.Join(err, serr)
		}
		s.logf(levelNotice, "DB saved on disk")
	}
	return err
}

// waitJobs waits until no background snapshot runs.
func (p *persistence) waitJobs() {
	for {
		p.mu.Lock()
		busy := p.snapBusy
		p.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
