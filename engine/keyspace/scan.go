package keyspace

import (
	"math/bits"
	"math/rand/v2"

	"github.com/redisctl/redisctl/engine/ds"
)

// Scan continues a SCAN from cursor. It calls fn (with the shard locked)
// for each live key of the buckets it visits, deleting expired keys it
// meets, and stops once count keys were passed to fn or 10×count buckets
// were visited. It returns the next cursor, 0 when the scan is complete.
//
// The cursor holds the shard in its low bits and, above them, a
// reverse-binary bucket cursor within the shard (Redis's dictScan). Every
// key present for the whole scan is returned at least once, however the
// tables grow or shrink in between.
func (db *DB) Scan(cursor uint64, count int, now int64, fn func(e Entry)) uint64 {
	shardBits := uint(bits.TrailingZeros(uint(len(db.shards))))
	si := int(cursor & db.mask)
	v := cursor >> shardBits
	seen, budget := 0, max(count, 1)*10
	var expired [][]byte
	for {
		s := &db.shards[si]
		s.mu.Lock()
		if s.t.size() == 0 {
			v = 0
		}
		for v != 0 || s.t.size() > 0 {
			if s.t.size() == 0 {
				v = 0
				break
			}
			expired = expired[:0]
			s.t.scanBucket(v&s.t.Mask, func(p entryPtr) {
				if exp := expireOf(p); exp != 0 && now > exp && !db.ks.replica.Load() {
					expired = append(expired, keyOf(p))
					return
				}
				seen++
				fn(Entry{p: p, s: s})
			})
			for _, k := range expired {
				if i := s.t.find(k, hashKey(k)); i >= 0 {
					db.expireAt(s, i, s.t.Slots[i])
				}
			}
			v = ds.NextCursor(v, s.t.Mask)
			budget--
			if v == 0 || seen >= count || budget <= 0 {
				break
			}
		}
		s.mu.Unlock()
		if v == 0 {
			si++
			if si == len(db.shards) {
				return 0
			}
		}
		if seen >= count || budget <= 0 {
			return v<<shardBits | uint64(si)
		}
	}
}

// ForEach calls fn for every key not expired at now, shard by shard, with
// the shard locked. The caller holds the server's exclusive lock (KEYS).
func (db *DB) ForEach(now int64, fn func(e Entry)) {
	for i := range db.shards {
		s := &db.shards[i]
		s.mu.Lock()
		for _, p := range s.t.Slots {
			if p == nil {
				continue
			}
			if exp := expireOf(p); exp != 0 && now > exp {
				continue
			}
			fn(Entry{p: p, s: s})
		}
		s.mu.Unlock()
	}
}

// RandomKey returns a copy of a random key, deleting expired keys it
// draws, or nil when the database is empty. It locks shards itself.
func (db *DB) RandomKey(now int64) []byte {
	for tries := 0; tries < 100 && db.keys.Load() > 0; tries++ {
		start := rand.IntN(len(db.shards))
		for k := 0; k < len(db.shards); k++ {
			s := &db.shards[(start+k)&int(db.mask)]
			s.mu.Lock()
			if s.t.N == 0 {
				s.mu.Unlock()
				continue
			}
			i := s.t.randomSlot()
			p := s.t.Slots[i]
			if exp := expireOf(p); exp != 0 && now > exp && !db.ks.replica.Load() {
				db.expireAt(s, i, p)
				s.mu.Unlock()
				break
			}
			key := append([]byte(nil), keyOf(p)...)
			s.mu.Unlock()
			return key
		}
	}
	return nil
}

// randomSlot returns an occupied slot, picked at random (t.N > 0).
func (t *table) randomSlot() int { return t.RandomSlot(8) }
