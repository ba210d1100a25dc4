package ds

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// Dict is the hash table behind large hashes, sets and sorted sets. It
// holds pointers to blobs: one pointer-free allocation per element that
// starts with keyOff fixed bytes, then the key as a uvarint length and its
// bytes, then whatever the owner stores after it. A table slot costs 9
// bytes (pointer and a hash tag), the garbage collector never scans the
// blobs, and an element costs one small allocation where Redis uses a
// dictEntry plus one or two sds strings.
//
// Open addressing with linear probing and backward-shift deletion: the
// members of a bucket (the entries whose hash's low bits name it) sit in
// the probe run that starts at the bucket, which is what lets Scan's
// reverse-binary cursor (Redis's dictScan) return every element present
// for a whole scan even when the table is resized in between.
type Dict struct {
	slots  []unsafe.Pointer
	tags   []uint8 // 0 = empty, else high hash bits | 0x80
	mask   uint64
	n      int
	keyOff int
}

var dictSeed = maphash.MakeSeed()

// Hash is the hash every Dict uses.
func Hash(key []byte) uint64 { return maphash.Bytes(dictSeed, key) }

func tagOf(h uint64) uint8 { return uint8(h>>56) | 0x80 }

const minDictSize = 8

// NewDict returns a table for blobs whose key starts at keyOff, sized for
// hint elements.
func NewDict(keyOff, hint int) *Dict {
	d := &Dict{keyOff: keyOff}
	size := minDictSize
	for size*3 < hint*4 {
		size *= 2
	}
	d.init(size)
	return d
}

func (d *Dict) init(size int) {
	d.slots = make([]unsafe.Pointer, size)
	d.tags = make([]uint8, size)
	d.mask = uint64(size - 1)
	d.n = 0
}

// Len returns the number of elements.
func (d *Dict) Len() int { return d.n }

// TableBytes is the memory of the slot arrays.
func (d *Dict) TableBytes() int64 {
	return int64(AllocSize(len(d.slots)*8) + AllocSize(len(d.tags)))
}

// BlobKey returns the key of blob p stored after off fixed bytes.
func BlobKey(p unsafe.Pointer, off int) []byte {
	n, w := BlobUvarint(p, off)
	return unsafe.Slice((*byte)(unsafe.Add(p, off+w)), n)
}

// BlobUvarint decodes the uvarint at offset off of blob p and returns it
// with its width.
func BlobUvarint(p unsafe.Pointer, off int) (int, int) {
	var x, s uint
	for i := 0; ; i++ {
		c := *(*byte)(unsafe.Add(p, off+i))
		if c < 0x80 {
			return int(x | uint(c)<<s), i + 1
		}
		x |= uint(c&0x7f) << s
		s += 7
	}
}

func (d *Dict) key(p unsafe.Pointer) []byte { return BlobKey(p, d.keyOff) }

// Find returns the blob whose key is key, or nil.
func (d *Dict) Find(key []byte) unsafe.Pointer {
	i := d.find(key, Hash(key))
	if i < 0 {
		return nil
	}
	return d.slots[i]
}

func (d *Dict) find(key []byte, h uint64) int {
	if d.n == 0 {
		return -1
	}
	tag := tagOf(h)
	for i := h & d.mask; ; i = (i + 1) & d.mask {
		switch d.tags[i] {
		case 0:
			return -1
		case tag:
			if string(d.key(d.slots[i])) == string(key) {
				return int(i)
			}
		}
	}
}

// Insert adds blob p, whose key must be absent.
func (d *Dict) Insert(p unsafe.Pointer) {
	if (d.n+1)*4 > len(d.slots)*3 {
		d.resize(len(d.slots) * 2)
	}
	d.place(p, Hash(d.key(p)))
}

func (d *Dict) place(p unsafe.Pointer, h uint64) {
	i := h & d.mask
	for d.tags[i] != 0 {
		i = (i + 1) & d.mask
	}
	d.slots[i] = p
	d.tags[i] = tagOf(h)
	d.n++
}

// Replace puts blob p in place of the element with the same key and
// returns the old blob (nil when there was none, and p is not stored).
func (d *Dict) Replace(p unsafe.Pointer) unsafe.Pointer {
	k := d.key(p)
	i := d.find(k, Hash(k))
	if i < 0 {
		return nil
	}
	old := d.slots[i]
	d.slots[i] = p
	return old
}

// Delete removes the element with key and returns its blob, or nil.
func (d *Dict) Delete(key []byte) unsafe.Pointer {
	i := d.find(key, Hash(key))
	if i < 0 {
		return nil
	}
	p := d.slots[i]
	d.removeAt(i)
	return p
}

func (d *Dict) removeAt(i int) {
	d.slots[i] = nil
	d.tags[i] = 0
	d.n--
	hole := uint64(i)
	for j := (hole + 1) & d.mask; d.tags[j] != 0; j = (j + 1) & d.mask {
		home := Hash(d.key(d.slots[j])) & d.mask
		if (j-home)&d.mask >= (j-hole)&d.mask {
			d.slots[hole], d.tags[hole] = d.slots[j], d.tags[j]
			d.slots[j], d.tags[j] = nil, 0
			hole = j
		}
	}
	if len(d.slots) > minDictSize && d.n*10 < len(d.slots) {
		d.resize(max(minDictSize, 1<<bits.Len(uint(d.n*2))))
	}
}

func (d *Dict) resize(size int) {
	old := d.slots
	d.init(size)
	for _, p := range old {
		if p != nil {
			d.place(p, Hash(d.key(p)))
		}
	}
}

// Random returns a random element (nil when empty). Elements after long
// runs of empty slots are a little more likely, as with Redis's
// dictGetRandomKey.
func (d *Dict) Random() unsafe.Pointer {
	if d.n == 0 {
		return nil
	}
	for {
		i := rand.Uint64() & d.mask
		for k := uint64(0); k < 16; k++ {
			j := (i + k) & d.mask
			if d.tags[j] != 0 {
				return d.slots[j]
			}
		}
	}
}

// Each calls fn for every element until it returns false. The table must
// not change during the walk.
func (d *Dict) Each(fn func(p unsafe.Pointer) bool) {
	for i, p := range d.slots {
		if d.tags[i] != 0 && !fn(p) {
			return
		}
	}
}

// Scan calls fn for the elements of the bucket named by cursor and returns
// the next cursor (0 when the scan is complete), as Redis's dictScan does.
func (d *Dict) Scan(cursor uint64, fn func(p unsafe.Pointer)) uint64 {
	if d.n == 0 {
		return 0
	}
	b := cursor & d.mask
	for i := b; d.tags[i] != 0; i = (i + 1) & d.mask {
		p := d.slots[i]
		if Hash(d.key(p))&d.mask == b {
			fn(p)
		}
		if (i+1)&d.mask == b {
			break
		}
	}
	cursor |= ^d.mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}
