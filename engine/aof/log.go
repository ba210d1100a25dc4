package aof

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Policy is appendfsync.
type Policy int32

// Fsync policies.
const (
	FsyncEverySec Policy = iota
	FsyncAlways
	FsyncNo
)

// ParsePolicy reads an appendfsync value.
func ParsePolicy(s string) Policy {
	switch s {
	case "always":
		return FsyncAlways
	case "no":
		return FsyncNo
	}
	return FsyncEverySec
}

// Log appends commands to the current incremental file. Append only
// buffers (it runs under the command's locks); Flush writes the buffer
// and, under appendfsync always, fsyncs it before returning, so a caller
// that flushes before sending replies never acknowledges a write that is
// not on disk. Concurrent flushes share one write and one fsync (group
// commit).
type Log struct {
	policy atomic.Int32

	mu    sync.Mutex // guards buf, spare, db, f swaps
	buf   []byte
	spare []byte
	db    int          // database the file's commands run in; -1 forces a SELECT
	total atomic.Int64 // bytes appended to the current file, buffered included

	wmu     sync.Mutex // serializes writes and fsyncs
	f       *os.File
	written atomic.Int64 // bytes of the current file written
	synced  atomic.Int64 // bytes of the current file fsynced
	lastErr atomic.Pointer[error]

	closed  atomic.Bool
	stop    chan struct{}
	done    chan struct{}
	onError func(err error)
	// lastSync is the unix ms of the last fsync (everysec).
	lastSync atomic.Int64
}

// NewLog appends to f, whose current size is size, with policy p;
// onError (may be nil) hears of every failed write or fsync. It starts the
// everysec fsync goroutine; Close stops it.
func NewLog(f *os.File, size int64, p Policy, onError func(error)) *Log {
	l := &Log{db: -1, f: f, stop: make(chan struct{}), done: make(chan struct{}), onError: onError}
	l.total.Store(size)
	l.written.Store(size)
	l.synced.Store(size)
	l.policy.Store(int32(p))
	go l.fsyncLoop()
	return l
}

// SetPolicy changes appendfsync.
func (l *Log) SetPolicy(p Policy) { l.policy.Store(int32(p)) }

// Append adds a command, preceded by a SELECT when it runs in another
// database than the previous one.
func (l *Log) Append(db int, argv [][]byte) {
	if l.closed.Load() {
		return // AOF turned off while the command ran
	}
	l.mu.Lock()
	n := len(l.buf)
	if db != l.db {
		l.buf = appendCommand(l.buf, []byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
		l.db = db
	}
	l.buf = appendCommand(l.buf, argv...)
	l.total.Add(int64(len(l.buf) - n))
	l.mu.Unlock()
}

// appendCommand writes argv as a RESP multibulk.
func appendCommand(b []byte, argv ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(argv)), 10)
	b = append(b, '\r', '\n')
	for _, a := range argv {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// Pending reports whether appended bytes are not written yet, or (under
// appendfsync always) not fsynced yet.
func (l *Log) Pending() bool {
	t := l.total.Load()
	if Policy(l.policy.Load()) == FsyncAlways {
		return l.synced.Load() < t
	}
	return l.written.Load() < t
}

// Size returns the current file's size including buffered bytes.
func (l *Log) Size() int64 { return l.total.Load() }

// Flush writes everything appended so far and, under appendfsync always,
// fsyncs it. It returns the first error of the write or fsync.
func (l *Log) Flush() error {
	if l.closed.Load() {
		return nil
	}
	target := l.total.Load()
	always := Policy(l.policy.Load()) == FsyncAlways
	if l.written.Load() >= target && (!always || l.synced.Load() >= target) {
		return nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed.Load() {
		return nil
	}
	if err := l.writeLocked(target); err != nil {
		return err
	}
	if always && l.synced.Load() < target {
		w := l.written.Load()
		if err := l.f.Sync(); err != nil {
			l.fail(err)
			return err
		}
		l.synced.Store(w)
		l.lastSync.Store(time.Now().UnixMilli())
		l.lastErr.Store(nil)
	}
	return nil
}

// writeLocked writes the buffer if less than target is written. It
// holds wmu.
func (l *Log) writeLocked(target int64) error {
	if l.written.Load() >= target {
		return nil
	}
	l.mu.Lock()
	data := l.buf
	l.buf, l.spare = l.spare[:0], nil
	l.mu.Unlock()
	for len(data) > 0 {
		n, err := writeFile(l.f, data)
		l.written.Add(int64(n))
		if err != nil {
			// Keep what was not written in front of newer appends.
			l.mu.Lock()
			l.buf = append(data[n:], l.buf...)
			l.mu.Unlock()
			l.fail(err)
			return err
		}
		data = data[n:]
	}
	if l.lastErr.Load() != nil && Policy(l.policy.Load()) != FsyncAlways {
		l.lastErr.Store(nil) // the write error is solved
	}
	l.mu.Lock()
	if cap(data) <= 4<<20 {
		l.spare = data[:0]
	}
	l.mu.Unlock()
	return nil
}

func (l *Log) fail(err error) {
	l.lastErr.Store(&err)
	if l.onError != nil {
		l.onError(err)
	}
}

// Err returns the last write or fsync error (nil once a later one
// succeeds).
func (l *Log) Err() error {
	if p := l.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// fsyncLoop fsyncs once a second under everysec, in the background like
// Redis's bio thread, so writes never wait for the disk; under every
// policy it also writes what is still buffered.
func (l *Log) fsyncLoop() {
	defer close(l.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			// Writes nobody got a reply for (active expiry, CLIENT REPLY
			// OFF) reach the file within a second under every policy.
			l.Flush()
			if Policy(l.policy.Load()) == FsyncEverySec {
				l.syncNow()
			}
		}
	}
}

// syncNow fsyncs what is written, without holding the write lock for the
// duration of the fsync.
func (l *Log) syncNow() {
	l.wmu.Lock()
	f, w := l.f, l.written.Load()
	l.wmu.Unlock()
	if l.synced.Load() >= w {
		return
	}
	if err := f.Sync(); err != nil {
		l.fail(err)
		return
	}
	l.lastErr.Store(nil)
	l.wmu.Lock()
	if l.f == f && l.synced.Load() < w {
		l.synced.Store(w)
	}
	l.wmu.Unlock()
	l.lastSync.Store(time.Now().UnixMilli())
}

// Rotate makes the log append to next (an empty new incremental file)
// from now on: everything appended before is written and fsynced to the
// old file, which is returned (still open) to the caller. The caller
// holds whatever lock stops new appends if the switch must be a precise
// point in the command stream.
func (l *Log) Rotate(next *os.File) (*os.File, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	target := l.total.Load()
	if err := l.writeLocked(target); err != nil {
		return nil, err
	}
	old := l.f
	if err := old.Sync(); err != nil {
		l.fail(err)
		return nil, err
	}
	l.mu.Lock()
	l.f = next
	l.db = -1
	l.total.Store(0)
	l.written.Store(0)
	l.synced.Store(0)
	l.mu.Unlock()
	return old, nil
}

// Close flushes, fsyncs and closes the file and stops the fsync
// goroutine.
func (l *Log) Close() error {
	close(l.stop)
	<-l.done
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.closed.Store(true)
	target := l.total.Load()
	err := l.writeLocked(target)
	if serr := l.f.Sync(); err == nil {
		err = serr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// File returns the file currently appended to.
func (l *Log) File() *os.File {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.f
}

// Policy returns the fsync policy.
func (l *Log) Policy() Policy { return Policy(l.policy.Load()) }
