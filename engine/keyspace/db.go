package keyspace

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

type entryPtr = unsafe.Pointer

// DB is one numbered database.
type DB struct {
	ks      *Keyspace
	id      int
	shards  []shard
	mask    uint64
	keys    atomic.Int64
	expires atomic.Int64
}

func newDB(ks *Keyspace, id int) *DB {
	db := &DB{ks: ks, id: id, mask: uint64(ks.nshards - 1)}
	db.shards = newShards(ks.nshards, id)
	for i := range db.shards {
		db.shards[i].ks = ks
	}
	return db
}

func newShards(n, id int) []shard {
	s := make([]shard, n)
	for i := range s {
		s[i].rng = uint64(id)<<32 | uint64(i) | 1
	}
	return s
}

// ID returns the database number.
func (db *DB) ID() int { return db.id }

// NumShards returns the number of shards (lock domains).
func (db *DB) NumShards() int { return len(db.shards) }

// ShardOf returns the shard index holding key, for lock ordering.
func (db *DB) ShardOf(key []byte) int { return int((hashKey(key) >> 32) & db.mask) }

// LockShard locks shard i.
func (db *DB) LockShard(i int) { db.shards[i].mu.Lock() }

// UnlockShard unlocks shard i.
func (db *DB) UnlockShard(i int) { db.shards[i].mu.Unlock() }

// Size returns the number of keys (DBSIZE), expired ones not yet removed
// included, as Redis counts them.
func (db *DB) Size() int64 { return db.keys.Load() }

// Expires returns the number of keys with an expire.
func (db *DB) Expires() int64 { return db.expires.Load() }

func (db *DB) locate(key []byte) (*shard, uint64) {
	h := hashKey(key)
	return &db.shards[(h>>32)&db.mask], h
}

// LookupFlags modify Lookup.
type LookupFlags uint8

// Lookup flags.
const (
	// NoTouch leaves the LRU/LFU data alone (TYPE, OBJECT, TTL...).
	NoTouch LookupFlags = 1 << iota
	// NoStats does not count a keyspace hit or miss (write lookups).
	NoStats
	// NoExpire does not delete an expired key; it still reads as missing.
	NoExpire
)

// Lookup returns key's entry, or a zero Entry when it does not exist. A key
// whose expire time is before now is deleted first (the Expired hook runs)
// and reads as missing.
func (db *DB) Lookup(key []byte, now int64, flags LookupFlags) Entry {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	if i < 0 {
		if flags&NoStats == 0 {
			db.missed(s, key)
		}
		return Entry{}
	}
	p := s.t.Slots[i]
	if exp := expireOf(p); exp != 0 && now > exp && !db.ks.loading.Load() {
		if flags&NoExpire == 0 && !db.ks.replica.Load() {
			db.expireAt(s, i, p)
		}
		if flags&NoStats == 0 {
			db.missed(s, key)
		}
		return Entry{}
	}
	if flags&NoStats == 0 {
		s.hits++
	}
	if flags&NoTouch == 0 {
		db.touch(s, p, now)
	}
	return Entry{p: p, s: s}
}

func (db *DB) missed(s *shard, key []byte) {
	s.misses++
	if db.ks.hooks.Missed != nil {
		db.ks.hooks.Missed(db.id, key)
	}
}

// Exists reports whether key exists (not expired at now) without touching
// its LRU data or the hit counters.
func (db *DB) Exists(key []byte, now int64) bool {
	return db.Lookup(key, now, NoTouch|NoStats).Exists()
}

func (db *DB) expireAt(s *shard, i int, p entryPtr) {
	key := keyOf(p)
	db.removeAt(s, i, p)
	s.expired++
	if db.ks.hooks.Expired != nil {
		db.ks.hooks.Expired(db.id, key)
	}
}

// SetOpts control SetString.
type SetOpts struct {
	ExpireAt int64 // unix ms; 0 for none
	KeepTTL  bool  // keep the existing key's expire instead
	Raw      bool  // never use the int encoding, report "raw" (APPEND, SETRANGE...)
}

// SetString stores a string value, replacing any value of any type.
func (db *DB) SetString(key, val []byte, o SetOpts) {
	n, isInt := int64(0), false
	if !o.Raw {
		n, isInt = canBeInt(val)
	}
	db.setString(key, val, isInt, n, o)
}

// SetInt stores an integer as a string value with the "int" encoding,
// keeping the key's expire (the INCR family).
func (db *DB) SetInt(key []byte, n int64) {
	db.setString(key, nil, true, n, SetOpts{KeepTTL: true})
}

func (db *DB) setString(key, val []byte, isInt bool, n int64, o SetOpts) {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	f := byte(kindStr)
	if isInt {
		f = kindInt
	} else if o.Raw {
		f |= flagRaw
	}
	f |= db.ks.parityBit()
	if i < 0 {
		exp := o.ExpireAt
		if exp != 0 {
			f |= flagExpire
		}
		size := blobSize(key, val, isInt, exp != 0)
		p, c := allocBlob(size)
		writeBlob(p, c, key, val, isInt, n, f, db.ks.newLRU(), exp, 0)
		db.insert(s, p, h)
		return
	}
	old := s.t.Slots[i]
	db.preserve(s, old)
	exp := o.ExpireAt
	if o.KeepTTL {
		exp = expireOf(old)
	}
	if exp != 0 {
		f |= flagExpire
	}
	lru := db.ks.newLRU()
	if db.ks.lfu() {
		lru = lruOf(old)
	}
	size := blobSize(key, val, isInt, exp != 0)
	if kindOf(old) != kindObj && size <= blobCap(old) && hasExpire(old) == (exp != 0) {
		writeBlob(old, blobCap(old), key, val, isInt, n, f, lru, exp, vidxOf0(old))
		return
	}
	p, c := allocBlob(size)
	writeBlob(p, c, key, val, isInt, n, f, lru, exp, 0)
	db.replace(s, i, old, p)
}

func vidxOf0(p entryPtr) uint32 {
	if !hasExpire(p) {
		return 0
	}
	return vidxOf(p)
}

// SetObject stores a non-string value, replacing any value. keepTTL keeps
// an existing expire; otherwise the key has none.
func (db *DB) SetObject(key []byte, obj Object, keepTTL bool) {
	if co, ok := obj.(CompactObject); ok && db.ks.hooks.Compact != nil {
		db.setCompact(key, co, keepTTL)
		return
	}
	s, h := db.locate(key)
	i := s.t.find(key, h)
	e := &objEntry{key: append([]byte(nil), key...), obj: obj, mem: obj.MemUsage()}
	e.hdr[0] = kindObj | db.ks.parityBit()
	p := entryPtr(e)
	setLRU(p, db.ks.newLRU())
	if i < 0 {
		db.insert(s, p, h)
		return
	}
	old := s.t.Slots[i]
	db.preserve(s, old)
	if keepTTL && hasExpire(old) {
		e.hdr[0] |= flagExpire
		e.expire = expireOf(old)
	}
	db.replace(s, i, old, p)
}

// Delete removes key and reports whether it existed (expired keys count
// as missing).
func (db *DB) Delete(key []byte, now int64) bool {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	if i < 0 {
		return false
	}
	p := s.t.Slots[i]
	if exp := expireOf(p); exp != 0 && now > exp && !db.ks.loading.Load() {
		db.expireAt(s, i, p)
		return false
	}
	db.removeAt(s, i, p)
	return true
}

// SetExpire sets the expire time (unix ms) of an existing key and reports
// whether the key exists.
func (db *DB) SetExpire(key []byte, at int64) bool {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	if i < 0 {
		return false
	}
	p := s.t.Slots[i]
	db.preserve(s, p)
	if hasExpire(p) {
		setExpireField(p, at)
		return true
	}
	if kindOf(p) == kindObj {
		setFlags(p, flags(p)|flagExpire)
		setExpireField(p, at)
		db.addVolatile(s, p)
		return true
	}
	np := rebuildBlob(p, true, at)
	db.replace(s, i, p, np)
	return true
}

// Persist removes key's expire and reports whether it had one.
func (db *DB) Persist(key []byte) bool {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	if i < 0 || !hasExpire(s.t.Slots[i]) {
		return false
	}
	p := s.t.Slots[i]
	db.preserve(s, p)
	if kindOf(p) == kindObj {
		db.removeVolatile(s, p)
		setFlags(p, flags(p)&^flagExpire)
		(*objEntry)(p).expire = 0
		return true
	}
	np := rebuildBlob(p, false, 0)
	db.replace(s, i, p, np)
	return true
}

// rebuildBlob copies a string entry into a new blob with or without expire
// fields.
func rebuildBlob(p entryPtr, withExpire bool, at int64) entryPtr {
	key := keyOf(p)
	isInt := kindOf(p) == kindInt
	var val []byte
	var n int64
	if isInt {
		n = intValue(p)
	} else {
		val = strValue(p, nil)
	}
	f := flags(p) &^ flagExpire
	if withExpire {
		f |= flagExpire
	}
	np, c := allocBlob(blobSize(key, val, isInt, withExpire))
	writeBlob(np, c, key, val, isInt, n, f, lruOf(p), at, 0)
	return np
}

// Mutate must be called before changing e's object in place: while a
// snapshot runs it lets the snapshot serialize the old value first.
func (db *DB) Mutate(e Entry) { db.preserve(e.s, e.p) }

// Changed updates memory accounting after e's object changed in place.
func (db *DB) Changed(e Entry) {
	if kindOf(e.p) != kindObj {
		return // a compact value changed within its blob
	}
	oe := (*objEntry)(e.p)
	m := oe.obj.MemUsage()
	db.account(e.s, m-oe.mem)
	oe.mem = m
}

// Rename moves src's value (and expire) to dst, replacing dst. Both shards
// must be locked; src must exist.
func (db *DB) Rename(src, dst []byte) {
	db.MoveTo(db, src, dst)
}

// MoveTo moves key's value (and expire) to dstKey in database to,
// replacing any value there. Both shards must be locked; key must exist.
func (db *DB) MoveTo(to *DB, key, dstKey []byte) {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	p := s.t.Slots[i]
	np := cloneWithKey(p, dstKey, to.ks.parityBit(), false)
	db.removeAt(s, i, p)
	to.put(dstKey, np)
}

// CopyTo copies key's value (and expire) to dstKey in database to,
// replacing any value there (COPY). Objects are copied with their Copy
// method. Both shards must be locked; key must exist.
func (db *DB) CopyTo(to *DB, key, dstKey []byte) {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	np := cloneWithKey(s.t.Slots[i], dstKey, to.ks.parityBit(), true)
	to.put(dstKey, np)
}

// put stores entry np under key, replacing any existing entry.
func (db *DB) put(key []byte, np entryPtr) {
	s, h := db.locate(key)
	if i := s.t.find(key, h); i >= 0 {
		old := s.t.Slots[i]
		db.preserve(s, old)
		db.removeAt(s, i, old)
	}
	db.insert(s, np, h)
}

func cloneWithKey(p entryPtr, key []byte, parity byte, deep bool) entryPtr {
	if kindOf(p) == kindObj {
		oe := (*objEntry)(p)
		obj := oe.obj
		if deep {
			obj = obj.Copy()
		}
		ne := &objEntry{hdr: oe.hdr, expire: oe.expire, key: append([]byte(nil), key...), obj: obj, mem: obj.MemUsage()}
		ne.hdr[0] = ne.hdr[0]&^flagSnap | parity
		return entryPtr(ne)
	}
	isInt := kindOf(p) == kindInt
	var val []byte
	var n int64
	if isInt {
		n = intValue(p)
	} else {
		val = strValue(p, nil)
	}
	exp := expireOf(p)
	f := flags(p)&^flagSnap | parity
	np, c := allocBlob(blobSize(key, val, isInt, exp != 0))
	writeBlob(np, c, key, val, isInt, n, f, lruOf(p), exp, 0)
	return np
}

// insert adds a new entry (its key known absent) to shard s.
func (db *DB) insert(s *shard, p entryPtr, h uint64) {
	before := s.t.bytes()
	s.t.insert(p, h)
	db.keys.Add(1)
	if hasExpire(p) {
		db.addVolatile(s, p)
	}
	db.account(s, s.t.bytes()-before+entrySize(p))
	if db.ks.hooks.Added != nil {
		db.ks.hooks.Added(db.id, keyOf(p))
	}
}

// replace puts np in slot i in place of old, carrying the volatile list.
func (db *DB) replace(s *shard, i int, old, np entryPtr) {
	s.t.Slots[i] = np
	switch {
	case hasExpire(old) && hasExpire(np):
		idx := vidxOf(old)
		setVidx(np, idx)
		s.volatile[idx] = np
	case hasExpire(old):
		db.removeVolatile(s, old)
	case hasExpire(np):
		db.addVolatile(s, np)
	}
	db.account(s, entrySize(np)-entrySize(old))
}

func (db *DB) removeAt(s *shard, i int, p entryPtr) {
	db.preserve(s, p)
	before := s.t.bytes()
	if hasExpire(p) {
		db.removeVolatile(s, p)
	}
	s.t.remove(i)
	db.keys.Add(-1)
	db.account(s, s.t.bytes()-before-entrySize(p))
}

func (db *DB) addVolatile(s *shard, p entryPtr) {
	setVidx(p, uint32(len(s.volatile)))
	s.volatile = append(s.volatile, p)
	db.expires.Add(1)
}

func (db *DB) removeVolatile(s *shard, p entryPtr) {
	idx := vidxOf(p)
	last := len(s.volatile) - 1
	if int(idx) != last {
		moved := s.volatile[last]
		s.volatile[idx] = moved
		setVidx(moved, idx)
	}
	s.volatile[last] = nil
	s.volatile = s.volatile[:last]
	if cap(s.volatile) > 64 && len(s.volatile) < cap(s.volatile)/4 {
		s.volatile = append([]entryPtr(nil), s.volatile...)
	}
	db.expires.Add(-1)
}

// entrySize is the memory accounted to one entry.
func entrySize(p entryPtr) int64 {
	if kindOf(p) == kindObj {
		oe := (*objEntry)(p)
		return objEntrySize + int64(cap(oe.key)) + oe.mem
	}
	n := int64(blobCap(p))
	if hasExpire(p) {
		n += 8 // its volatile-list slot
	}
	return n
}

func (db *DB) account(s *shard, delta int64) {
	if delta == 0 {
		return
	}
	s.mem += delta
	db.ks.used.Add(delta)
}

// flushShards drops every key of db, shard by shard under each shard's
// lock (the shards array itself never changes, so code that locks a shard
// needs no other lock), and returns the memory released.
func (db *DB) flushShards() int64 {
	var freed int64
	for i := range db.shards {
		s := &db.shards[i]
		s.mu.Lock()
		freed += s.mem
		s.t = table{}
		s.volatile = nil
		s.mem = 0
		s.mu.Unlock()
	}
	db.keys.Store(0)
	db.expires.Store(0)
	return freed
}

// Flush empties the database. The caller holds the server's exclusive
// lock. A running snapshot is first given what it has not saved yet.
func (db *DB) Flush() {
	if s := db.ks.snap.Load(); s != nil {
		s.flushed(db)
	}
	db.ks.used.Add(-db.flushShards())
}

// FlushAll empties every database (same locking as Flush).
func (ks *Keyspace) FlushAll() {
	for _, db := range ks.dbs {
		db.Flush()
	}
}

// MutableString returns key's string value as a writable slice of length
// max(current length, n), the added bytes zeroed, switching the value to
// the "raw" encoding (APPEND, SETRANGE, SETBIT...). The key must exist
// and hold a string. The slice is valid until the next change to the key;
// the blob keeps slack so repeated growth is amortized O(1).
func (db *DB) MutableString(key []byte, n int) []byte {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	p := s.t.Slots[i]
	db.preserve(s, p)
	if kindOf(p) == kindInt {
		var buf [20]byte
		val := strValue(p, buf[:0])
		np, c := allocBlob(blobSize(key, val, false, hasExpire(p)))
		writeBlob(np, c, key, val, false, 0, flags(p)&^flagKindMask|kindStr, lruOf(p), expireOf(p), vidxOf0(p))
		db.replace(s, i, p, np)
		p = np
	}
	cur := len(strValue(p, nil))
	want := max(cur, n)
	off := valueOffset(p)
	if off+4+want > blobCap(p) {
		size := off + 4 + want
		if want < 1<<20 {
			size += want
		} else {
			size += 1 << 20
		}
		np, c := allocBlob(size)
		copy(blobBytes(np, off+4+cur), blobBytes(p, off+4+cur))
		binary.LittleEndian.PutUint32(blobBytes(np, hdrSize)[4:8], uint32(c))
		db.replace(s, i, p, np)
		p = np
	}
	setFlags(p, flags(p)|flagRaw)
	b := blobBytes(p, blobCap(p))
	binary.LittleEndian.PutUint32(b[off:], uint32(want))
	v := b[off+4 : off+4+want : off+4+want]
	clear(v[cur:])
	return v
}

// MemoryUsage estimates the bytes key's entry takes (MEMORY USAGE): the
// entry itself and its share of the table.
func (db *DB) MemoryUsage(e Entry) int64 {
	return entrySize(e.p) + slotBytes*2
}

// TableOverhead returns the bytes the database's tables and expire lists
// take (MEMORY STATS). It locks shards itself.
func (db *DB) TableOverhead() (main, expires int64) {
	for i := range db.shards {
		s := &db.shards[i]
		s.mu.Lock()
		main += s.t.bytes()
		expires += int64(cap(s.volatile)) * 8
		s.mu.Unlock()
	}
	return main, expires
}
