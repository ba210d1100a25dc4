package keyspace

import (
	"math/rand/v2"
	"time"
)

// Active expiry, after Redis's activeExpireCycle: sample keys with an
// expire and delete the expired ones, repeating on a shard while more than
// a tenth of a sample had expired, so memory held by expired keys is
// reclaimed without a client touching them.

const expireSample = 20

// ActiveExpire runs one cycle over every database, resuming where the
// previous cycle stopped, until all shards were visited or deadline passes.
// effort is active-expire-effort (1..10). It locks shards itself and
// returns the number of keys expired.
func (ks *Keyspace) ActiveExpire(now int64, deadline time.Time, effort int) int {
	total := len(ks.dbs) * ks.nshards
	sample := expireSample + expireSample/4*(effort-1)
	stale := 10 - (effort - 1)
	expired := 0
	for visited := 0; visited < total; visited++ {
		pos := ks.expirePos % total
		ks.expirePos = pos + 1
		db := ks.dbs[pos/ks.nshards]
		if db.expires.Load() == 0 {
			continue
		}
		expired += db.expireShard(&db.shards[pos%ks.nshards], now, sample, stale)
		if visited%16 == 15 && time.Now().After(deadline) {
			break
		}
	}
	return expired
}

func (db *DB) expireShard(s *shard, now int64, sample, stalePerc int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if db.ks.replica.Load() {
		return 0
	}
	total := 0
	for iter := 0; iter < 16 && len(s.volatile) > 0; iter++ {
		n := min(sample, len(s.volatile))
		found := 0
		for k := 0; k < n && len(s.volatile) > 0; k++ {
			p := s.volatile[rand.IntN(len(s.volatile))]
			if now > expireOf(p) {
				key := keyOf(p)
				if i := s.t.find(key, hashKey(key)); i >= 0 {
					db.expireAt(s, i, p)
					found++
				}
			}
		}
		total += found
		if found*100 <= n*stalePerc {
			break
		}
	}
	return total
}

// AvgTTL estimates the average remaining TTL in ms of keys with an expire
// (INFO keyspace avg_ttl) by sampling each shard. It locks shards itself.
func (db *DB) AvgTTL(now int64) int64 {
	var sum, n int64
	for i := range db.shards {
		s := &db.shards[i]
		s.mu.Lock()
		for k := 0; k < 4 && len(s.volatile) > 0; k++ {
			ttl := expireOf(s.volatile[rand.IntN(len(s.volatile))]) - now
			if ttl > 0 {
				sum += ttl
				n++
			}
		}
		s.mu.Unlock()
	}
	if n == 0 {
		return 0
	}
	return sum / n
}
