package keyspace

import (
	"bytes"
	"math"
	"math/rand/v2"
)

// Policy is a maxmemory-policy.
type Policy int32

// Eviction policies, in the order of the maxmemory-policy enum.
const (
	VolatileLRU Policy = iota
	VolatileLFU
	VolatileRandom
	VolatileTTL
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	NoEviction
)

func (p Policy) volatile() bool { return p <= VolatileTTL }

// Eviction follows Redis's approximated LRU/LFU/TTL: each round samples a
// few keys from every database into a small pool of the best candidates
// seen so far (longest idle, least frequently used or nearest expire) and
// evicts the best one that still exists.

const poolSize = 16

type candidate struct {
	score uint64 // higher is a better victim
	db    int
	key   []byte
}

// Evictor holds the candidate pool between rounds; one per server, used by
// one goroutine at a time.
type Evictor struct {
	pool []candidate
}

// Evict removes keys by policy until UsedMemory() is at most target, or no
// key can be evicted. samples is maxmemory-samples. It locks shards itself
// and returns the number of keys evicted and whether the target was met.
func (ks *Keyspace) Evict(ev *Evictor, policy Policy, target int64, samples int, now int64) (int, bool) {
	evicted := 0
	for ks.used.Load() > target {
		if policy == NoEviction || !ks.evictOne(ev, policy, samples, now) {
			return evicted, false
		}
		evicted++
	}
	return evicted, true
}

func (ks *Keyspace) evictOne(ev *Evictor, policy Policy, samples int, now int64) bool {
	if policy == AllKeysRandom || policy == VolatileRandom {
		return ks.evictRandom(policy)
	}
	for round := 0; round < 8; round++ {
		for _, db := range ks.dbs {
			if db.keys.Load() > 0 && (!policy.volatile() || db.expires.Load() > 0) {
				db.sample(ev, policy, samples)
			}
		}
		for len(ev.pool) > 0 {
			c := ev.pool[len(ev.pool)-1]
			ev.pool = ev.pool[:len(ev.pool)-1]
			if ks.dbs[c.db].evictKey(c.key, policy) {
				return true
			}
		}
	}
	return false
}

func (db *DB) sample(ev *Evictor, policy Policy, samples int) {
	s := &db.shards[rand.IntN(len(db.shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := 0; k < samples; k++ {
		var p entryPtr
		if policy.volatile() {
			if len(s.volatile) == 0 {
				return
			}
			p = s.volatile[rand.IntN(len(s.volatile))]
		} else {
			if s.t.N == 0 {
				return
			}
			p = s.t.Slots[s.t.randomSlot()]
		}
		var score uint64
		switch policy {
		case AllKeysLRU, VolatileLRU:
			score = uint64(db.IdleMs(Entry{p: p}))
		case AllKeysLFU, VolatileLFU:
			score = 255 - uint64(db.ks.lfuDecayed(lruOf(p)))
		case VolatileTTL:
			score = math.MaxUint64 - uint64(expireOf(p))
		}
		ev.insert(db.id, keyOf(p), score)
	}
}

// insert keeps the pool sorted by ascending score, at most poolSize long.
func (ev *Evictor) insert(db int, key []byte, score uint64) {
	for _, c := range ev.pool {
		if c.db == db && bytes.Equal(c.key, key) {
			return
		}
	}
	i := 0
	for i < len(ev.pool) && ev.pool[i].score < score {
		i++
	}
	if len(ev.pool) == poolSize {
		if i == 0 {
			return
		}
		copy(ev.pool, ev.pool[1:i])
		i--
	} else {
		ev.pool = append(ev.pool, candidate{})
		copy(ev.pool[i+1:], ev.pool[i:])
	}
	ev.pool[i] = candidate{score: score, db: db, key: append([]byte(nil), key...)}
}

func (db *DB) evictKey(key []byte, policy Policy) bool {
	s, h := db.locate(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.t.find(key, h)
	if i < 0 {
		return false
	}
	p := s.t.Slots[i]
	if policy.volatile() && !hasExpire(p) {
		return false
	}
	db.evictAt(s, i, p)
	return true
}

func (db *DB) evictAt(s *shard, i int, p entryPtr) {
	key := keyOf(p)
	db.removeAt(s, i, p)
	s.evicted++
	if db.ks.hooks.Evicted != nil {
		db.ks.hooks.Evicted(db.id, key)
	}
}

func (ks *Keyspace) evictRandom(policy Policy) bool {
	start := rand.IntN(len(ks.dbs))
	for k := 0; k < len(ks.dbs); k++ {
		db := ks.dbs[(start+k)%len(ks.dbs)]
		if db.keys.Load() == 0 || (policy.volatile() && db.expires.Load() == 0) {
			continue
		}
		for try := 0; try < len(db.shards)*2; try++ {
			s := &db.shards[rand.IntN(len(db.shards))]
			s.mu.Lock()
			var p entryPtr
			if policy.volatile() && len(s.volatile) > 0 {
				p = s.volatile[rand.IntN(len(s.volatile))]
			} else if !policy.volatile() && s.t.N > 0 {
				p = s.t.Slots[s.t.randomSlot()]
			}
			if p != nil {
				key := keyOf(p)
				db.evictAt(s, s.t.find(key, hashKey(key)), p)
				s.mu.Unlock()
				return true
			}
			s.mu.Unlock()
		}
	}
	return false
}
