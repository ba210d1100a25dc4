package keyspace

import (
	"hash/maphash"
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
)

// table is a shard's hash table of entries: a ds.Table keyed by the
// entries' keys (keyOf), growing when three quarters full and shrinking
// when under an eighth full. The home bucket of an entry is the low bits
// of its hash, which is what lets SCAN's reverse-binary cursor cover the
// table across resizes.
type table struct{ ds.Table }

const (
	minTableSize = 8
	slotBytes    = int64(unsafe.Sizeof(unsafe.Pointer(nil))) + 1
)

var seed = maphash.MakeSeed()

// hashKey is the hash every structure of the keyspace uses.
func hashKey(key []byte) uint64 { return maphash.Bytes(seed, key) }

// entryHash is the hash of an entry's key.
func entryHash(p unsafe.Pointer) uint64 { return hashKey(keyOf(p)) }

// size returns the number of slots.
func (t *table) size() int { return len(t.Slots) }

// find returns the slot holding key, or -1.
func (t *table) find(key []byte, h uint64) int { return t.Find(key, h, keyOf) }

// insert adds an entry whose key is known to be absent, growing the table
// when it is three quarters full, and returns its slot.
func (t *table) insert(p unsafe.Pointer, h uint64) int {
	if t.Slots == nil {
		t.Init(minTableSize)
	} else if (t.N+1)*4 > len(t.Slots)*3 {
		t.resize(len(t.Slots) * 2)
	}
	return t.Place(p, h)
}

// remove deletes the entry at slot i. It shrinks a sparse table.
func (t *table) remove(i int) {
	t.RemoveAt(i, entryHash)
	if len(t.Slots) > minTableSize && t.N*8 < len(t.Slots) {
		t.resize(ds.ShrunkSize(t.N, minTableSize))
	}
}

func (t *table) resize(size int) { t.Rehash(size, entryHash) }

// bytes is the memory the table's arrays take.
func (t *table) bytes() int64 { return int64(len(t.Slots)) * slotBytes }

// scanBucket calls fn for every entry whose home bucket is b (b < size).
func (t *table) scanBucket(b uint64, fn func(p unsafe.Pointer)) { t.ScanBucket(b, entryHash, fn) }
