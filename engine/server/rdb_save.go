package server

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/redisctl/redisctl/engine/aof"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
)

// snapFlushAt bounds the memory a snapshot holds: serialized entries are
// written out once this many bytes are buffered, by whoever (the walk or
// a writer preserving a key) crosses it.
const snapFlushAt = 1 << 20

// snapWriter serializes a snapshot's keys as RDB records (or, for an AOF
// base without RDB preamble, as commands). It is the keyspace.Preserver:
// keys arrive from the snapshot's walk and from writers about to change
// them, each exactly once, in any order; a SELECTDB precedes a key of
// another database than the previous one.
type snapWriter struct {
	mu      sync.Mutex
	buf     []byte
	out     io.Writer
	err     error
	db      int
	resized []bool
	sizes   [][2]int64 // keys and expires per database at the start
	z       *rdb.Compressor
	ks      *keyspace.Keyspace
	lru     bool // write IDLE (LRU policies)
	lfu     bool // write FREQ (LFU policies)
	asAOF   bool // commands instead of RDB records
	keys    int64
	maxBuf  int
	scratch []byte
}

func newSnapWriter(s *Server, out io.Writer, asAOF bool) *snapWriter {
	w := &snapWriter{out: out, db: -1, ks: s.ks, asAOF: asAOF, lru: s.ks.LRUPolicy(), lfu: s.ks.LFUPolicy()}
	if s.cfg.Bool("rdbcompression") {
		w.z = rdb.NewCompressor()
	}
	n := s.ks.NumDBs()
	w.resized = make([]bool, n)
	w.sizes = make([][2]int64, n)
	for i := 0; i < n; i++ {
		db := s.ks.DB(i)
		w.sizes[i] = [2]int64{db.Size(), db.Expires()}
	}
	return w
}

// Preserve implements keyspace.Preserver. It runs under the key's shard
// lock and copies what it needs by serializing the entry at once.
func (w *snapWriter) Preserve(db int, e keyspace.Entry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	if db != w.db {
		w.db = db
		if w.asAOF {
			w.buf = appendCmd(w.buf, "SELECT", strconv.Itoa(db))
		} else {
			w.buf = rdb.AppendSelectDB(w.buf, db)
			if !w.resized[db] {
				w.buf = rdb.AppendResizeDB(w.buf, uint64(w.sizes[db][0]), uint64(w.sizes[db][1]))
			}
		}
		w.resized[db] = true
	}
	var err error
	if w.asAOF {
		w.buf, err = appendEntryCommands(w.buf, e)
	} else {
		meta := rdb.KeyMeta{ExpireAt: e.ExpireAt(), Idle: -1, Freq: -1}
		switch {
		case w.lfu:
			meta.Freq = w.ks.DB(db).Freq(e)
		case w.lru:
			meta.Idle = w.ks.DB(db).IdleMs(e) / 1000
		}
		w.buf, err = appendEntryRDB(w.buf, meta, e, w.z, &w.scratch)
	}
	if err != nil {
		w.err = err
		return
	}
	w.keys++
	if len(w.buf) >= snapFlushAt {
		w.flushLocked()
	}
}

func (w *snapWriter) flushLocked() {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.out.Write(w.buf)
	}
	w.maxBuf = max(w.maxBuf, cap(w.buf))
	w.buf = w.buf[:0]
}

// flush writes what is buffered; the walk calls it between shards.
func (w *snapWriter) flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
	return w.err
}

// appendCmd appends a command in RESP.
func appendCmd(b []byte, argv ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(argv)), 10)
	b = append(b, "\r\n"...)
	for _, a := range argv {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// rdbHeader is the start of every RDB the server writes.
func (s *Server) rdbHeader(aofBase bool) []byte {
	b := rdb.AppendHeader(nil)
	b = rdb.AppendAux(b, "redis-ver", config.RedisVersion)
	b = rdb.AppendAux(b, "redis-bits", "64")
	b = rdb.AppendAux(b, "ctime", strconv.FormatInt(time.Now().Unix(), 10))
	b = rdb.AppendAux(b, "used-mem", strconv.FormatInt(s.usedMemory(), 10))
	b = rdb.AppendAux(b, "aof-base", map[bool]string{true: "1", false: "0"}[aofBase])
	for _, code := range s.persist.functionLibraries() {
		b = rdb.AppendFunction(b, code)
	}
	return b
}

// snapshotJob writes one point-in-time snapshot to a file.
type snapshotJob struct {
	s       *Server
	tmp     string // written, synced, then renamed to path
	path    string
	f       *os.File
	bw      *bufio.Writer
	rw      *rdb.Writer // nil when writing commands
	sw      *snapWriter
	snap    *keyspace.Snapshot
	started time.Time
}

// beginSnapshot opens tmp and starts a point-in-time snapshot into it.
// The caller holds the server's exclusive lock (so the snapshot starts
// between two commands); writes may resume once it returns.
func (s *Server) beginSnapshot(tmp, path string, aofBase, asAOF bool) (*snapshotJob, error) {
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	j := &snapshotJob{s: s, tmp: tmp, path: path, f: f, started: time.Now()}
	j.bw = bufio.NewWriterSize(f, 256<<10)
	var out io.Writer = j.bw
	if !asAOF {
		j.rw = rdb.NewWriter(j.bw, s.cfg.Bool("rdbchecksum"))
		out = j.rw
		if _, err := j.rw.Write(s.rdbHeader(aofBase)); err != nil {
			j.abort()
			return nil, err
		}
	}
	if asAOF {
		// An AOF base made of commands starts with the function libraries.
		var b []byte
		for _, code := range s.persist.functionLibraries() {
			b = appendCmd(b, "FUNCTION", "LOAD", string(code))
		}
		if _, err := out.Write(b); err != nil {
			j.abort()
			return nil, err
		}
	}
	j.sw = newSnapWriter(s, out, asAOF)
	snap, err := s.ks.BeginSnapshot(j.sw)
	if err != nil {
		j.abort()
		return nil, err
	}
	j.snap = snap
	return j, nil
}

func (j *snapshotJob) abort() {
	j.f.Close()
	os.Remove(j.tmp)
}

// finish walks the keyspace (no lock held), ends the snapshot and makes
// the file durable under its final name.
func (j *snapshotJob) finish() error {
	j.snap.Walk()
	j.snap.End()
	err := j.sw.flush()
	if err == nil && j.rw != nil {
		err = j.rw.Finish()
	}
	if err == nil {
		err = j.bw.Flush()
	}
	if err == nil {
		err = j.f.Sync()
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(j.tmp, j.path)
	}
	if err == nil {
		err = aof.SyncDir(filepath.Dir(j.path))
	}
	if err != nil {
		os.Remove(j.tmp)
	}
	return err
}

// rdbPath is where SAVE and BGSAVE write.
func (s *Server) rdbPath() string { return s.cfg.Path("dbfilename") }

// saveForeground writes the RDB with every other command stopped (SAVE,
// shutdown). The caller must not hold the server lock unless held is set.
func (p *persistence) saveForeground() error {
	s := p.s
	path := s.rdbPath()
	tmp := filepath.Join(filepath.Dir(path), "temp-"+strconv.Itoa(os.Getpid())+".rdb")
	dirty := s.dirtyCount()
	j, err := s.beginSnapshot(tmp, path, false, false)
	if err != nil {
		s.logf(levelWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %v", filepath.Base(tmp), s.cfg.Get("dir"), err)
		return err
	}
	err = j.finish()
	p.saveDone(err, dirty, j, false)
	return err
}

// startBgsave starts a background save. held tells whether the caller
// already holds the server's exclusive lock (a command flagged
// exclusive); otherwise it is taken. It returns the error Redis replies.
func (p *persistence) startBgsave(held bool) error {
	s := p.s
	if err := p.lockSnapshotSlot(held); err != nil {
		return err
	}
	p.snapBusy = true
	p.bg.running, p.bg.scheduled = true, false
	p.bg.start = time.Now()
	p.lastTry = p.bg.start
	p.mu.Unlock()
	path := s.rdbPath()
	tmp := filepath.Join(filepath.Dir(path), "temp-bg-"+strconv.Itoa(os.Getpid())+".rdb")
	dirty := s.dirtyCount()
	j, err := s.beginSnapshot(tmp, path, false, false)
	p.unlockWorld(held)
	s.logf(levelNotice, "Background saving started")
	if err != nil {
		// Redis opens the file in its child: the command has already
		// replied "started" when this fails, and the failure shows in
		// INFO (rdb_last_bgsave_status:err) and the log.
		p.saveDone(err, dirty, nil, true)
		return nil
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		err := j.finish()
		p.saveDone(err, dirty, j, true)
	}()
	return nil
}

var errSnapshotBusy = errors.New("a snapshot is in progress")

// lockSnapshotSlot takes the server lock (unless the caller holds it) and
// then p.mu, and fails with errSnapshotBusy, both released, while a
// snapshot runs. The server lock comes first: SAVE holds it while it waits
// for a running snapshot to end, so a job must not claim snapBusy and then
// wait for the lock.
func (p *persistence) lockSnapshotSlot(held bool) error {
	if !held {
		p.s.world.Lock()
	}
	p.mu.Lock()
	if p.snapBusy {
		p.mu.Unlock()
		p.unlockWorld(held)
		return errSnapshotBusy
	}
	return nil
}

// unlockWorld releases the server lock unless the caller held it.
func (p *persistence) unlockWorld(held bool) {
	if !held {
		p.s.world.Unlock()
	}
}

// saveDone records the outcome of a save.
func (p *persistence) saveDone(err error, dirtyAtStart int64, j *snapshotJob, background bool) {
	s := p.s
	p.mu.Lock()
	defer p.mu.Unlock()
	if background {
		p.snapBusy = false
		p.bg.running = false
		p.bg.lastDur = time.Since(p.bg.start)
		p.bg.lastOK = err == nil
		p.bg.count++
		if err != nil {
			p.denying.Store(true)
		}
		if j != nil {
			p.bg.cowPeak = int64(j.sw.maxBuf)
		}
	}
	if err != nil {
		if background {
			s.logf(levelWarning, "Background saving error: %v", err)
		} else {
			s.logf(levelWarning, "Write error saving DB on disk: %v", err)
		}
		return
	}
	p.saves++
	p.dirtySave = dirtyAtStart
	s.stats.lastSave.Store(time.Now().Unix())
	if background {
		s.logf(levelNotice, "Background saving terminated with success")
	} else {
		s.logf(levelNotice, "DB saved on disk")
	}
}

// functionLibraries returns the code of the function libraries to write
// to RDBs and AOF bases (FUNCTION LOAD is exclusive: callers hold the
// server lock or have stopped the clients).
func (p *persistence) functionLibraries() [][]byte {
	return p.s.scripting.libraryCodes()
}

// appendEntryRDB serializes one key as an RDB record. scratch holds a
// non-string value's encoding until its type byte is known.
func appendEntryRDB(b []byte, meta rdb.KeyMeta, e keyspace.Entry, z *rdb.Compressor, scratch *[]byte) ([]byte, error) {
	obj := e.Object()
	if obj == nil {
		b = rdb.AppendKeyHeader(b, meta, rdb.TypeString, e.Key(), z)
		if n, ok := e.Int(); ok {
			return rdb.AppendInt(b, n), nil
		}
		return rdb.AppendString(b, e.Bytes(nil), z), nil
	}
	val, err := appendObjectRDB((*scratch)[:0], obj, z)
	*scratch = val[:0]
	if err != nil {
		return b, err
	}
	b = rdb.AppendKeyHeader(b, meta, val[0], e.Key(), z)
	return append(b, val[1:]...), nil
}

// appendEntryCommands serializes one key as the commands that rebuild it
// (AOF base without RDB preamble).
func appendEntryCommands(b []byte, e keyspace.Entry) ([]byte, error) {
	key := string(e.Key())
	var err error
	if obj := e.Object(); obj != nil {
		if b, err = appendObjectCommands(b, key, obj); err != nil {
			return b, err
		}
	} else {
		b = appendCmd(b, "SET", key, string(e.Bytes(nil)))
	}
	if at := e.ExpireAt(); at != 0 {
		b = appendCmd(b, "PEXPIREAT", key, strconv.FormatInt(at, 10))
	}
	return b, nil
}
