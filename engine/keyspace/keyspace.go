// Package keyspace stores the engine's databases: a fixed number of shards
// per database, each an open-addressing table of compact entries guarded by
// its own mutex, so commands on different keys run in parallel. It does
// expiry (lazy on lookup and active sampling), memory accounting, eviction
// sampling, SCAN cursors and the hooks persistence builds on.
//
// Locking contract: every method that takes a key expects the caller to
// hold that key's shard lock (see DB.ShardOf, DB.LockShard); the server's
// dispatcher takes them from the command table's key positions. Methods
// documented as locking (Scan, ActiveExpire, Evict, Size...) take shard
// locks themselves and must be called with none held. Whole-keyspace
// operations (Flush, Swap, ForEach) require the caller to have stopped
// every other user of the keyspace (the server's exclusive lock).
package keyspace

import (
	"sync"
	"sync/atomic"
)

// Type is a value's type, as TYPE reports it.
type Type uint8

// Value types.
const (
	TypeNone Type = iota
	TypeString
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream"}

func (t Type) String() string { return typeNames[t] }

// ParseType returns the type called name (as SCAN TYPE takes it).
func ParseType(name string) (Type, bool) {
	for i, n := range typeNames {
		if n == name && i != 0 {
			return Type(i), true
		}
	}
	return TypeNone, false
}

// Object is a non-string value. Data-type packages implement it; a value
// must report the Redis encoding name for OBJECT ENCODING and its memory
// footprint in O(1) (track it incrementally), which the keyspace uses for
// used_memory and eviction.
type Object interface {
	Type() Type
	Encoding() string
	MemUsage() int64
	// Copy returns an independent deep copy (COPY).
	Copy() Object
}

// Hooks are called by the keyspace, with the key's shard locked, when it
// removes a key on its own, adds a key or misses one. They must not call
// back into the keyspace.
type Hooks struct {
	Expired func(db int, key []byte) // expiry (lazy or active)
	Evicted func(db int, key []byte) // maxmemory eviction
	// Added runs when a key is created (not when an existing key's value
	// is replaced in place): Redis's dbAdd, for the "new" notification.
	Added func(db int, key []byte)
	// Missed runs when a Lookup counted as a read (no NoStats) finds no
	// key: Redis's "keymiss" notification.
	Missed func(db int, key []byte)
	// Compact decodes the value area of a compact collection entry (see
	// CompactObject; its length precedes it as a uint32) into its Object;
	// it must not allocate or lock.
	Compact func(value []byte) Object
}

// DefaultShards is the number of shards per database.
const DefaultShards = 64

// Keyspace is the set of databases of one server.
type Keyspace struct {
	dbs     []*DB
	nshards int
	hooks   Hooks

	used     atomic.Int64 // bytes accounted to the dataset
	policy   atomic.Int32 // Policy, for LRU vs LFU bookkeeping
	lfuLog   atomic.Int32
	lfuDecay atomic.Int32
	replica  atomic.Bool // replicas report expired keys missing but keep them
	loading  atomic.Bool // replaying an AOF: nothing expires (see SetLoading)
	lruClock atomic.Uint32
	minutes  atomic.Uint32

	snap      atomic.Pointer[snapshot]
	expirePos int // where the next active expire cycle starts (cron only)
	parity    parityState
}

// New creates n databases of shards shards each (a power of two; 0 means
// DefaultShards).
func New(n, shards int, hooks Hooks) *Keyspace {
	if shards <= 0 {
		shards = DefaultShards
	}
	if shards&(shards-1) != 0 {
		panic("keyspace: shard count must be a power of two")
	}
	ks := &Keyspace{nshards: shards, hooks: hooks}
	ks.lfuLog.Store(10)
	ks.lfuDecay.Store(1)
	ks.dbs = make([]*DB, n)
	for i := range ks.dbs {
		ks.dbs[i] = newDB(ks, i)
	}
	return ks
}

// DB returns database i.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// NumDBs returns the number of databases.
func (ks *Keyspace) NumDBs() int { return len(ks.dbs) }

// UsedMemory returns the bytes accounted to the dataset.
func (ks *Keyspace) UsedMemory() int64 { return ks.used.Load() }

// SetPolicy tells the keyspace which eviction policy is active, so that
// accesses update LRU or LFU data.
func (ks *Keyspace) SetPolicy(p Policy) { ks.policy.Store(int32(p)) }

// SetLFUParams sets lfu-log-factor and lfu-decay-time.
func (ks *Keyspace) SetLFUParams(logFactor, decayMinutes int) {
	ks.lfuLog.Store(int32(logFactor))
	ks.lfuDecay.Store(int32(decayMinutes))
}

// SetReplica switches replica semantics: expired keys read as missing but
// are only deleted when the primary says so.
func (ks *Keyspace) SetReplica(on bool) { ks.replica.Store(on) }

// Swap exchanges the contents of databases a and b (SWAPDB). The caller
// holds the server's exclusive lock.
func (ks *Keyspace) Swap(a, b int) {
	if sn := ks.snap.Load(); sn != nil {
		// Entries keep the number of the database they are saved from, so
		// save what the snapshot still needs before they change places.
		sn.drain(ks.dbs[a])
		sn.drain(ks.dbs[b])
	}
	da, dbb := ks.dbs[a], ks.dbs[b]
	for i := range da.shards {
		sa, sb := &da.shards[i], &dbb.shards[i]
		sa.mu.Lock()
		sb.mu.Lock()
		sa.t, sb.t = sb.t, sa.t
		sa.volatile, sb.volatile = sb.volatile, sa.volatile
		sa.mem, sb.mem = sb.mem, sa.mem
		sa.hits, sb.hits = sb.hits, sa.hits
		sa.misses, sb.misses = sb.misses, sa.misses
		sa.expired, sb.expired = sb.expired, sa.expired
		sa.evicted, sb.evicted = sb.evicted, sa.evicted
		sb.mu.Unlock()
		sa.mu.Unlock()
	}
	na, nb := da.keys.Load(), dbb.keys.Load()
	da.keys.Store(nb)
	dbb.keys.Store(na)
	ea, eb := da.expires.Load(), dbb.expires.Load()
	da.expires.Store(eb)
	dbb.expires.Store(ea)
}

// Stats are keyspace counters for INFO stats.
type Stats struct {
	Hits, Misses, Expired, Evicted, ExpiredStale int64
}

// Stats sums the per-shard counters. It locks each shard in turn.
func (ks *Keyspace) Stats() Stats {
	var st Stats
	for _, db := range ks.dbs {
		for i := range db.shards {
			s := &db.shards[i]
			s.mu.Lock()
			st.Hits += s.hits
			st.Misses += s.misses
			st.Expired += s.expired
			st.Evicted += s.evicted
			s.mu.Unlock()
		}
	}
	return st
}

// ResetStats zeroes the counters Stats reports (CONFIG RESETSTAT).
func (ks *Keyspace) ResetStats() {
	for _, db := range ks.dbs {
		for i := range db.shards {
			s := &db.shards[i]
			s.mu.Lock()
			s.hits, s.misses, s.expired, s.evicted = 0, 0, 0, 0
			s.mu.Unlock()
		}
	}
}

// shard is one lock domain of a database.
type shard struct {
	mu       sync.Mutex
	t        table
	volatile []entryPtr // entries with an expire, for sampling
	mem      int64      // bytes accounted to this shard

	hits, misses, expired, evicted int64
	rng                            uint64
	ks                             *Keyspace // for decoding compact values

	_ [32]byte // keep shards on separate cache lines
}
