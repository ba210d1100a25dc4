package ds

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Blobs are the elements of Dicts and ZTrees: single pointer-free
// allocations referenced by unsafe.Pointer. Their layouts:
//
//	set member:  uvarint len, member
//	hash field:  uvarint len, field, uvarint len, value
//	zset member: float64 score (8 bytes, little endian), uvarint len, member

// UvarintLen is the width of n as a uvarint.
func UvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// NewBlob allocates an n-byte blob and returns it with a slice over it.
func NewBlob(n int) (unsafe.Pointer, []byte) {
	b := Alloc(n)
	return unsafe.Pointer(&b[0]), b
}

// PutBytes writes s as uvarint length + bytes at b and returns the width.
func PutBytes(b []byte, s []byte) int {
	w := binary.PutUvarint(b, uint64(len(s)))
	return w + copy(b[w:], s)
}

// MemberBlob makes a set member blob.
func MemberBlob(m []byte) unsafe.Pointer {
	p, b := NewBlob(UvarintLen(len(m)) + len(m))
	PutBytes(b, m)
	return p
}

// MemberBlobSize is the allocation behind a set member blob.
func MemberBlobSize(p unsafe.Pointer) int {
	n, w := BlobUvarint(p, 0)
	return AllocSize(n + w)
}

// FieldBlob makes a hash field blob.
func FieldBlob(field, value []byte) unsafe.Pointer {
	p, b := NewBlob(UvarintLen(len(field)) + len(field) + UvarintLen(len(value)) + len(value))
	w := PutBytes(b, field)
	PutBytes(b[w:], value)
	return p
}

// FieldValue returns a hash field blob's value.
func FieldValue(p unsafe.Pointer) []byte {
	n, w := BlobUvarint(p, 0)
	return BlobKey(p, n+w)
}

// FieldBlobSize is the allocation behind a hash field blob.
func FieldBlobSize(p unsafe.Pointer) int {
	n, w := BlobUvarint(p, 0)
	vn, vw := BlobUvarint(p, n+w)
	return AllocSize(n + w + vn + vw)
}

// ZBlob makes a sorted set member blob.
func ZBlob(score float64, member []byte) unsafe.Pointer {
	p, b := NewBlob(8 + UvarintLen(len(member)) + len(member))
	binary.LittleEndian.PutUint64(b, math.Float64bits(score))
	PutBytes(b[8:], member)
	return p
}

// ZScore returns a sorted set blob's score.
func ZScore(p unsafe.Pointer) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(unsafe.Slice((*byte)(p), 8)))
}

// ZMember returns a sorted set blob's member.
func ZMember(p unsafe.Pointer) []byte { return BlobKey(p, 8) }

// ZBlobSize is the allocation behind a sorted set blob.
func ZBlobSize(p unsafe.Pointer) int {
	n, w := BlobUvarint(p, 8)
	return AllocSize(8 + n + w)
}
