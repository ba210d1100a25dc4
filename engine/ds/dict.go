package ds

import (
	"hash/maphash"
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
// It is a Table (open addressing, so Scan's reverse-binary cursor returns
// every element present for a whole scan, as Redis's dictScan does) that
// grows when three quarters full and shrinks when under a tenth full.
type Dict struct {
	t      Table
	keyOff int
}

var dictSeed = maphash.MakeSeed()

// Hash is the hash every Dict uses.
func Hash(key []byte) uint64 { return maphash.Bytes(dictSeed, key) }

const minDictSize = 8

// NewDict returns a table for blobs whose key starts at keyOff, sized for
// hint elements.
func NewDict(keyOff, hint int) *Dict {
	d := &Dict{keyOff: keyOff}
	size := minDictSize
	for size*3 < hint*4 {
		size *= 2
	}
	d.t.Init(size)
	return d
}

// Len returns the number of elements.
func (d *Dict) Len() int { return d.t.N }

// TableBytes is the memory of the slot arrays.
func (d *Dict) TableBytes() int64 {
	return int64(AllocSize(len(d.t.Slots)*8) + AllocSize(len(d.t.Tags)))
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

func (d *Dict) hash(p unsafe.Pointer) uint64 { return Hash(d.key(p)) }

// Find returns the blob whose key is key, or nil.
func (d *Dict) Find(key []byte) unsafe.Pointer {
	i := d.find(key)
	if i < 0 {
		return nil
	}
	return d.t.Slots[i]
}

func (d *Dict) find(key []byte) int { return d.t.Find(key, Hash(key), d.key) }

// Insert adds blob p, whose key must be absent.
func (d *Dict) Insert(p unsafe.Pointer) {
	if (d.t.N+1)*4 > len(d.t.Slots)*3 {
		d.t.Rehash(len(d.t.Slots)*2, d.hash)
	}
	d.t.Place(p, d.hash(p))
}

// Replace puts blob p in place of the element with the same key and
// returns the old blob (nil when there was none, and p is not stored).
func (d *Dict) Replace(p unsafe.Pointer) unsafe.Pointer {
	i := d.find(d.key(p))
	if i < 0 {
		return nil
	}
	old := d.t.Slots[i]
	d.t.Slots[i] = p
	return old
}

// Delete removes the element with key and returns its blob, or nil.
func (d *Dict) Delete(key []byte) unsafe.Pointer {
	i := d.find(key)
	if i < 0 {
		return nil
	}
	p := d.t.Slots[i]
	d.t.RemoveAt(i, d.hash)
	if len(d.t.Slots) > minDictSize && d.t.N*10 < len(d.t.Slots) {
		d.t.Rehash(ShrunkSize(d.t.N, minDictSize), d.hash)
	}
	return p
}

// Random returns a random element (nil when empty). Elements after long
// runs of empty slots are a little more likely, as with Redis's
// dictGetRandomKey.
func (d *Dict) Random() unsafe.Pointer {
	if d.t.N == 0 {
		return nil
	}
	return d.t.Slots[d.t.RandomSlot(16)]
}

// Each calls fn for every element until it returns false. The table must
// not change during the walk.
func (d *Dict) Each(fn func(p unsafe.Pointer) bool) {
	for i, p := range d.t.Slots {
		if d.t.Tags[i] != 0 && !fn(p) {
			return
		}
	}
}

// Scan calls fn for the elements of the bucket named by cursor and returns
// the next cursor (0 when the scan is complete), as Redis's dictScan does.
func (d *Dict) Scan(cursor uint64, fn func(p unsafe.Pointer)) uint64 {
	if d.t.N == 0 {
		return 0
	}
	d.t.ScanBucket(cursor&d.t.Mask, d.hash, fn)
	return NextCursor(cursor, d.t.Mask)
}
