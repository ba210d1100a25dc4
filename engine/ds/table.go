package ds

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// Table is the open-addressing hash table behind Dict and the keyspace's
// shards: pointers to elements, linear probing and backward-shift deletion
// (no tombstones). A parallel byte array of hash tags lets most probes
// skip non-matching slots without touching the element.
//
// The members of a bucket (the elements whose hash's low bits name it)
// sit in the probe run that starts at the bucket, which is what lets a
// reverse-binary cursor (NextCursor, Redis's dictScan) return every
// element present for a whole scan even when the table is resized in
// between.
//
// Table does not know where an element's key is or how it is hashed: the
// operations that need them take the owner's functions. Growing and
// shrinking are the owner's choice too (Rehash).
type Table struct {
	Slots []unsafe.Pointer
	Tags  []uint8 // 0 = empty, else TagOf(hash)
	Mask  uint64
	N     int // elements
}

// TagOf is the tag of an element with hash h: its high bits, never 0.
func TagOf(h uint64) uint8 { return uint8(h>>56) | 0x80 }

// Init makes t an empty table of size slots (a power of two).
func (t *Table) Init(size int) {
	t.Slots = make([]unsafe.Pointer, size)
	t.Tags = make([]uint8, size)
	t.Mask = uint64(size - 1)
	t.N = 0
}

// Find returns the slot of the element with key, whose hash is h, or -1;
// keyOf returns an element's key.
func (t *Table) Find(key []byte, h uint64, keyOf func(unsafe.Pointer) []byte) int {
	if t.N == 0 {
		return -1
	}
	tag := TagOf(h)
	for i := h & t.Mask; ; i = (i + 1) & t.Mask {
		switch t.Tags[i] {
		case 0:
			return -1
		case tag:
			if string(keyOf(t.Slots[i])) == string(key) {
				return int(i)
			}
		}
	}
}

// Place stores p, with hash h, in the first free slot of its probe run
// and returns the slot. The table must have a free slot.
func (t *Table) Place(p unsafe.Pointer, h uint64) int {
	i := h & t.Mask
	for t.Tags[i] != 0 {
		i = (i + 1) & t.Mask
	}
	t.Slots[i] = p
	t.Tags[i] = TagOf(h)
	t.N++
	return int(i)
}

// RemoveAt empties slot i, shifting later members of its probe run back
// so that lookups never stop early; hashOf returns an element's hash.
func (t *Table) RemoveAt(i int, hashOf func(unsafe.Pointer) uint64) {
	t.Slots[i] = nil
	t.Tags[i] = 0
	t.N--
	hole := uint64(i)
	for j := (hole + 1) & t.Mask; t.Tags[j] != 0; j = (j + 1) & t.Mask {
		home := hashOf(t.Slots[j]) & t.Mask
		// Move j into the hole unless its home lies cyclically in (hole, j].
		if (j-home)&t.Mask >= (j-hole)&t.Mask {
			t.Slots[hole], t.Tags[hole] = t.Slots[j], t.Tags[j]
			t.Slots[j], t.Tags[j] = nil, 0
			hole = j
		}
	}
}

// Rehash moves every element into a new table of size slots.
func (t *Table) Rehash(size int, hashOf func(unsafe.Pointer) uint64) {
	old := t.Slots
	t.Init(size)
	for _, p := range old {
		if p != nil {
			t.Place(p, hashOf(p))
		}
	}
}

// ShrunkSize is the size a table of n elements shrinks to.
func ShrunkSize(n, minSize int) int { return max(minSize, 1<<bits.Len(uint(n*2))) }

// ScanBucket calls fn for every element of bucket b (b <= Mask).
func (t *Table) ScanBucket(b uint64, hashOf func(unsafe.Pointer) uint64, fn func(unsafe.Pointer)) {
	for i := b; t.Tags[i] != 0; i = (i + 1) & t.Mask {
		p := t.Slots[i]
		if hashOf(p)&t.Mask == b {
			fn(p)
		}
		if (i+1)&t.Mask == b {
			return
		}
	}
}

// NextCursor returns the scan cursor after v in a table of mask+1 slots:
// v's bucket bits incremented from the most significant end.
func NextCursor(v, mask uint64) uint64 {
	v |= ^mask
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}

// RandomSlot returns an occupied slot (t.N > 0): the first one in a
// window of the given width from a random slot, so an element after a
// long run of empty slots is a little more likely, as with Redis's
// dictGetRandomKey.
func (t *Table) RandomSlot(window int) int {
	for {
		i := rand.Uint64() & t.Mask
		for k := 0; k < window; k++ {
			j := (i + uint64(k)) & t.Mask
			if t.Tags[j] != 0 {
				return int(j)
			}
		}
	}
}
