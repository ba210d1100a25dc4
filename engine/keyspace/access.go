package keyspace

// Hooks for persistence: loading data and restoring keys with their
// access metadata.

// SetLoading switches loading mode, used while an AOF is replayed: keys
// past their expire time stay visible, so commands replay against the
// dataset as it was when they first ran (Redis does not expire keys while
// loading either). The expired keys go after loading, lazily or actively.
func (ks *Keyspace) SetLoading(on bool) { ks.loading.Store(on) }

// Loading reports whether loading mode is on.
func (ks *Keyspace) Loading() bool { return ks.loading.Load() }

// LFUPolicy reports whether the eviction policy is LFU-based (RDB files
// then carry access frequencies; with LRU-based ones, idle times).
func (ks *Keyspace) LFUPolicy() bool { return ks.lfu() }

// LRUPolicy reports whether the eviction policy is LRU-based.
func (ks *Keyspace) LRUPolicy() bool {
	p := Policy(ks.policy.Load())
	return p == AllKeysLRU || p == VolatileLRU
}

// SetIdle makes e read as last accessed idleSec seconds ago (RESTORE
// IDLETIME, RDB IDLE opcode). It has no effect under an LFU policy.
func (db *DB) SetIdle(e Entry, idleSec int64) {
	if db.ks.lfu() || idleSec < 0 {
		return
	}
	clock := int64(db.ks.lruClock.Load())
	abs := clock - idleSec
	if abs < 0 {
		abs = abs%lruClockMax + lruClockMax
	}
	setLRU(e.p, uint32(abs)&lruClockMax)
}

// SetFreq sets e's LFU counter (RESTORE FREQ, RDB FREQ opcode). It has no
// effect unless the policy is LFU-based.
func (db *DB) SetFreq(e Entry, freq int) {
	if !db.ks.lfu() || freq < 0 || freq > 255 {
		return
	}
	setLRU(e.p, db.ks.minutes.Load()<<8|uint32(freq))
}

// Reserve grows db's tables so n more keys fit without rehashing (the
// RESIZEDB hint of an RDB file being loaded). It locks each shard.
func (db *DB) Reserve(n int64) {
	per := int(n/int64(len(db.shards))) + 1
	size := minTableSize
	for size*3 < (per+1)*4 {
		size *= 2
	}
	for i := range db.shards {
		s := &db.shards[i]
		s.mu.Lock()
		if size > len(s.t.Slots) && s.t.N+per > len(s.t.Slots)*3/4 {
			before := s.t.bytes()
			if s.t.Slots == nil {
				s.t.Init(size)
			} else {
				s.t.resize(size)
			}
			db.account(s, s.t.bytes()-before)
		}
		s.mu.Unlock()
	}
}

// LoadString adds a string key that must not exist yet, with one hash
// lookup (loading a dataset); it reports false, changing nothing, when
// the key exists. The caller holds the key's shard lock.
func (db *DB) LoadString(key, val []byte, expireAt int64) bool {
	s, h := db.locate(key)
	if s.t.find(key, h) >= 0 {
		return false
	}
	n, isInt := canBeInt(val)
	f := byte(kindStr)
	if isInt {
		f = kindInt
	}
	f |= db.ks.parityBit()
	if expireAt != 0 {
		f |= flagExpire
	}
	p, c := allocBlob(blobSize(key, val, isInt, expireAt != 0))
	writeBlob(p, c, key, val, isInt, n, f, db.ks.newLRU(), expireAt, 0)
	db.insert(s, p, h)
	return true
}
