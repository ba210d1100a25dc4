package server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
)

// rdbLoader puts the keys of an RDB into the keyspace (rdb.Handler).
type rdbLoader struct {
	s        *Server
	db       *keyspace.DB
	now      int64
	preamble bool // an AOF base: expired keys are kept, later commands decide
	loaded   int64
	expired  int64
	empty    int64
	buf      []byte
}

func (s *Server) newRDBLoader(preamble bool) *rdbLoader {
	return &rdbLoader{s: s, db: s.ks.DB(0), now: time.Now().UnixMilli(), preamble: preamble}
}

func (l *rdbLoader) Aux(key, val []byte) error {
	switch string(key) {
	case "redis-ver":
		l.s.logf(levelNotice, "Loading RDB produced by version %s", val)
	case "ctime":
		if t, err := strconv.ParseInt(string(val), 10, 64); err == nil {
			age := time.Now().Unix() - t
			l.s.logf(levelNotice, "RDB age %d seconds", max(age, 0))
		}
	case "used-mem":
		if n, err := strconv.ParseInt(string(val), 10, 64); err == nil {
			l.s.logf(levelNotice, "RDB memory usage when created %.2f Mb", float64(n)/(1024*1024))
		}
	}
	return nil
}

func (l *rdbLoader) Function(code []byte) error {
	return l.s.scripting.loadFunctionCode(code)
}

func (l *rdbLoader) SelectDB(n int) error {
	if n >= l.s.ks.NumDBs() {
		return fmt.Errorf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting", l.s.ks.NumDBs())
	}
	l.db = l.s.ks.DB(n)
	return nil
}

func (l *rdbLoader) ResizeDB(size, expires uint64) error {
	if size > 0 && size < 1<<40 {
		l.db.Reserve(int64(size))
	}
	return nil
}

func (l *rdbLoader) Key(key []byte, m rdb.KeyMeta, v *rdb.Value) error {
	// A primary does not load keys that already expired, except from an
	// AOF base, where later commands decide their fate.
	if m.ExpireAt != 0 && m.ExpireAt < l.now && !l.preamble && !l.s.isReplica() {
		l.expired++
		return nil
	}
	if v.Kind == rdb.KindString {
		// The common case, with one hash lookup.
		val := v.Str
		if v.IsInt {
			val = strconv.AppendInt(l.buf[:0], v.Int, 10)
		}
		if !l.db.LoadString(key, val, m.ExpireAt) {
			return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, l.db.ID())
		}
		l.loaded++
		l.setAccess(key, m)
		return nil
	}
	if l.db.Exists(key, l.now) {
		return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, l.db.ID())
	}
	ok, err := l.s.storeValue(l.db, key, v, m.ExpireAt)
	if err != nil {
		return err
	}
	if !ok {
		l.empty++
		return nil
	}
	l.setAccess(key, m)
	l.loaded++
	return nil
}

// setAccess applies a key's saved LRU idle time or LFU frequency.
func (l *rdbLoader) setAccess(key []byte, m rdb.KeyMeta) {
	if m.Idle >= 0 || m.Freq >= 0 {
		e := l.db.Lookup(key, l.now, keyspace.NoTouch|keyspace.NoStats)
		l.db.SetIdle(e, m.Idle)
		l.db.SetFreq(e, m.Freq)
	}
}

// storeValue creates key in db from a decoded value with an expire time
// (0 for none). It reports false for empty collections, which Redis
// skips; it fails for values it cannot represent.
func (s *Server) storeValue(db *keyspace.DB, key []byte, v *rdb.Value, expireAt int64) (bool, error) {
	if v.Kind == rdb.KindString {
		val := v.Str
		if v.IsInt {
			val = strconv.AppendInt(nil, v.Int, 10)
		}
		db.SetString(key, val, keyspace.SetOpts{ExpireAt: expireAt})
		return true, nil
	}
	obj, err := s.objectFromRDB(v)
	if err != nil || obj == nil {
		return false, err
	}
	db.SetObject(key, obj, false)
	if expireAt != 0 {
		db.SetExpire(key, expireAt)
	}
	return true, nil
}

// loadRDBFile loads the RDB at path into the (empty) keyspace. It returns
// os.ErrNotExist when there is no file.
func (p *persistence) loadRDBFile(path string) error {
	s := p.s
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	start := time.Now()
	l := s.newRDBLoader(false)
	if _, err := rdb.Load(f, l, rdb.LoadOptions{SkipChecksum: !s.cfg.Bool("rdbchecksum"), Size: info.Size()}); err != nil {
		return err
	}
	p.mu.Lock()
	p.loadKeys, p.loadExp = l.loaded, l.expired
	p.mu.Unlock()
	s.logf(levelNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", l.loaded, l.expired)
	if l.empty > 0 {
		s.logf(levelWarning, "Done loading RDB, keys loaded: %d, empty keys skipped: %d.", l.loaded, l.empty)
	}
	s.logf(levelNotice, "DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	return nil
}

// loadPreamble loads an RDB at the start of an AOF file of fileSize bytes
// and returns what follows.
func (p *persistence) loadPreamble(r io.Reader, fileSize int64) (io.Reader, int64, error) {
	l := p.s.newRDBLoader(true)
	res, err := rdb.Load(r, l, rdb.LoadOptions{SkipChecksum: !p.s.cfg.Bool("rdbchecksum"), Size: fileSize})
	if err != nil {
		return nil, 0, err
	}
	p.mu.Lock()
	p.loadKeys += l.loaded
	p.mu.Unlock()
	return res.Rest, res.Bytes, nil
}
