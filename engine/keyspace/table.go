package keyspace

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// table is an open-addressing hash table of entries with linear probing
// and backward-shift deletion (no tombstones). A parallel byte array of
// hash tags lets most probes skip non-matching slots without touching the
// entry. The home bucket of an entry is the low bits of its hash, which is
// what lets SCAN's reverse-binary cursor cover the table across resizes.
type table struct {
	slots []unsafe.Pointer
	tags  []uint8 // 0 = empty
	mask  uint64
	n     int
}

const (
	minTableSize = 8
	slotBytes    = int64(unsafe.Sizeof(unsafe.Pointer(nil))) + 1
)

var seed = maphash.MakeSeed()

// hashKey is the hash every structure of the keyspace uses.
func hashKey(key []byte) uint64 { return maphash.Bytes(seed, key) }

func tagOf(h uint64) uint8 { return uint8(h>>56) | 0x80 }

func (t *table) init(size int) {
	t.slots = make([]unsafe.Pointer, size)
	t.tags = make([]uint8, size)
	t.mask = uint64(size - 1)
	t.n = 0
}

// size returns the number of slots.
func (t *table) size() int { return len(t.slots) }

// find returns the slot holding key, or -1.
func (t *table) find(key []byte, h uint64) int {
	if t.n == 0 {
		return -1
	}
	tag := tagOf(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i] {
		case 0:
			return -1
		case tag:
			if bytes.Equal(keyOf(t.slots[i]), key) {
				return int(i)
			}
		}
	}
}

// insert adds an entry whose key is known to be absent, growing the table
// when it is three quarters full, and returns its slot.
func (t *table) insert(p unsafe.Pointer, h uint64) int {
	if t.slots == nil {
		t.init(minTableSize)
	} else if (t.n+1)*4 > len(t.slots)*3 {
		t.resize(len(t.slots) * 2)
	}
	return t.place(p, h)
}

func (t *table) place(p unsafe.Pointer, h uint64) int {
	i := h & t.mask
	for t.tags[i] != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = p
	t.tags[i] = tagOf(h)
	t.n++
	return int(i)
}

// remove deletes the entry at slot i, shifting later members of its probe
// run back so lookups never stop early. It shrinks a sparse table.
func (t *table) remove(i int) {
	t.slots[i] = nil
	t.tags[i] = 0
	t.n--
	hole := uint64(i)
	for j := (hole + 1) & t.mask; t.tags[j] != 0; j = (j + 1) & t.mask {
		home := hashKey(keyOf(t.slots[j])) & t.mask
		// Move j into the hole unless its home lies cyclically in (hole, j].
		if (j-home)&t.mask >= (j-hole)&t.mask {
			t.slots[hole], t.tags[hole] = t.slots[j], t.tags[j]
			t.slots[j], t.tags[j] = nil, 0
			hole = j
		}
	}
	if len(t.slots) > minTableSize && t.n*8 < len(t.slots) {
		t.resize(max(minTableSize, 1<<bits.Len(uint(t.n*2))))
	}
}

func (t *table) resize(size int) {
	old := t.slots
	t.init(size)
	for _, p := range old {
		if p != nil {
			t.place(p, hashKey(keyOf(p)))
		}
	}
}

// bytes is the memory the table's arrays take.
func (t *table) bytes() int64 { return int64(len(t.slots)) * slotBytes }

// scanBucket calls fn for every entry whose home bucket is b (b < size).
// Members of a bucket sit in the probe run that starts at b.
func (t *table) scanBucket(b uint64, fn func(p unsafe.Pointer)) {
	for i := b; t.tags[i] != 0; i = (i + 1) & t.mask {
		p := t.slots[i]
		if hashKey(keyOf(p))&t.mask == b {
			fn(p)
		}
		if (i+1)&t.mask == b {
			return
		}
	}
}
