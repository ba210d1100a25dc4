package keyspace

// LRU and LFU bookkeeping, in Redis's 24-bit per-key format: the LRU clock
// in seconds, or for LFU policies the time in minutes (16 bits) and a
// logarithmic access counter (8 bits).

const (
	lruClockMax = 1<<24 - 1
	lfuInitVal  = 5
)

// Tick advances the keyspace's clocks; the server calls it from its cron
// with the current unix time in ms. LRU and LFU data use this coarse clock
// so accesses never read the system time.
func (ks *Keyspace) Tick(nowMs int64) {
	ks.lruClock.Store(uint32(nowMs/1000) & lruClockMax)
	ks.minutes.Store(uint32(nowMs/60000) & 0xffff)
}

func (ks *Keyspace) lfu() bool {
	p := Policy(ks.policy.Load())
	return p == AllKeysLFU || p == VolatileLFU
}

// newLRU is the LRU/LFU data of a new key.
func (ks *Keyspace) newLRU() uint32 {
	if ks.lfu() {
		return ks.minutes.Load()<<8 | lfuInitVal
	}
	return ks.lruClock.Load()
}

func (db *DB) touch(s *shard, p entryPtr, _ int64) {
	ks := db.ks
	if !ks.lfu() {
		setLRU(p, ks.lruClock.Load())
		return
	}
	counter := ks.lfuDecayed(lruOf(p))
	if counter < 255 {
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		prob := 1.0 / (base*float64(ks.lfuLog.Load()) + 1)
		if float64(s.rand()>>11)/(1<<53) < prob {
			counter++
		}
	}
	setLRU(p, ks.minutes.Load()<<8|counter)
}

// lfuDecayed returns the LFU counter of data lru after decay.
func (ks *Keyspace) lfuDecayed(lru uint32) uint32 {
	ldt := lru >> 8
	counter := lru & 255
	decay := uint32(ks.lfuDecay.Load())
	if decay == 0 {
		return counter
	}
	now := ks.minutes.Load()
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	periods := elapsed / decay
	if periods >= counter {
		return 0
	}
	return counter - periods
}

// IdleMs returns how long ago e was last accessed, in ms, with the LRU
// clock's one-second resolution (OBJECT IDLETIME).
func (db *DB) IdleMs(e Entry) int64 {
	now := db.ks.lruClock.Load()
	lru := lruOf(e.p)
	if now >= lru {
		return int64(now-lru) * 1000
	}
	return int64(now+(lruClockMax-lru)) * 1000
}

// Freq returns e's decayed LFU counter (OBJECT FREQ).
func (db *DB) Freq(e Entry) int { return int(db.ks.lfuDecayed(lruOf(e.p))) }

// rand is a xorshift generator private to the shard (callers hold its lock).
func (s *shard) rand() uint64 {
	x := s.rng
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	s.rng = x
	return x
}
