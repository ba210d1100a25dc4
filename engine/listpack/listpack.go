// Package listpack reads and writes Redis's listpack encoding (listpack.c)
// byte for byte: a flat sequence of string and integer elements that can
// be walked in both directions. It is the engine's one listpack
// implementation: small hashes and sorted sets (which live inside their
// keyspace entries), list nodes, stream nodes, and the RDB reader and
// writer, which move these bytes to and from disk unchanged.
//
// Layout: a 6-byte header (total bytes, uint32 LE; element count, uint16
// LE, 65535 when unknown), the elements, and an 0xFF terminator. Each
// element is its encoding byte(s) and data followed by a "backlen", the
// size of encoding+data written so that it can be read from right to left.
// Strings that read as canonical int64 are stored as integers, as Redis
// does.
//
// Positions are byte offsets into the listpack; -1 means none. Functions
// that change a listpack return it, possibly reallocated, like append: len
// is the listpack's size and cap its allocation, which a change fills
// before it reallocates (to the size it needs, rounded to the allocator's
// size class, as Redis reallocates a listpack to its exact size).
package listpack

import (
	"encoding/binary"
	"strconv"

	"github.com/redisctl/redisctl/engine/ds"
)

const (
	headerSize = 6
	eof        = 0xFF
	// unknownCount is the header count once it no longer fits in 16 bits.
	unknownCount = 65535
)

// New returns an empty listpack with room for capacity bytes.
func New(capacity int) []byte {
	return Init(ds.Alloc(max(capacity, headerSize+1)))
}

// Init writes an empty listpack into b (cap(b) >= 7) and returns it.
func Init(b []byte) []byte {
	b = b[:headerSize+1]
	binary.LittleEndian.PutUint32(b, headerSize+1)
	binary.LittleEndian.PutUint16(b[4:], 0)
	b[headerSize] = eof
	return b
}

// Bytes returns the listpack's total size as recorded in its header.
func Bytes(lp []byte) int { return int(binary.LittleEndian.Uint32(lp)) }

// Len returns the number of elements.
func Len(lp []byte) int {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n != unknownCount {
		return n
	}
	n = 0
	for p := First(lp); p >= 0; p = Next(lp, p) {
		n++
	}
	return n
}

// SetHeader writes the header of lp: its length as the total and count
// (65535 when it does not fit) as the element count.
func SetHeader(lp []byte, count int) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if count >= unknownCount || count < 0 {
		count = unknownCount
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(count))
}

// addCount adjusts the element count by delta. Like Redis, an unknown
// count stays unknown (only a full walk could tell it again).
func addCount(lp []byte, delta int) {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n == unknownCount {
		return
	}
	SetHeader(lp, n+delta)
}

// First returns the position of the first element, or -1.
func First(lp []byte) int {
	if lp[headerSize] == eof {
		return -1
	}
	return headerSize
}

// Last returns the position of the last element, or -1.
func Last(lp []byte) int { return Prev(lp, len(lp)-1) }

// Next returns the position of the element after p, or -1.
func Next(lp []byte, p int) int {
	p += ElementSize(lp, p)
	if lp[p] == eof {
		return -1
	}
	return p
}

// Prev returns the position of the element before p (p may be the
// terminator's position), or -1.
func Prev(lp []byte, p int) int {
	if p == headerSize {
		return -1
	}
	l, n := decodeBacklen(lp, p-1)
	return p - n - l
}

// ElementSize returns the bytes the element at p takes, backlen included.
func ElementSize(lp []byte, p int) int {
	l := encLen(lp, p)
	return l + backlenSize(l)
}

// encLen returns the size of the encoding and data of the element at p
// (without its backlen).
func encLen(lp []byte, p int) int {
	e := lp[p]
	switch {
	case e&0x80 == 0:
		return 1
	case e&0xC0 == 0x80:
		return 1 + int(e&0x3F)
	case e&0xE0 == 0xC0:
		return 2
	case e&0xF0 == 0xE0:
		return 2 + (int(e&0x0F)<<8 | int(lp[p+1]))
	}
	switch e {
	case 0xF0:
		return 5 + int(binary.LittleEndian.Uint32(lp[p+1:]))
	case 0xF1:
		return 3
	case 0xF2:
		return 4
	case 0xF3:
		return 5
	case 0xF4:
		return 9
	}
	panic("listpack: bad encoding byte " + strconv.Itoa(int(e)))
}

func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// putBacklen writes the backlen of an l-byte element at dst and returns
// its size. The leftmost byte holds the highest 7 bits; every byte to its
// right has bit 7 set, meaning "more bytes to the left" when read
// backwards.
func putBacklen(dst []byte, l int) int {
	n := backlenSize(l)
	for i := n - 1; i >= 0; i-- {
		b := byte(l & 127)
		if i != 0 {
			b |= 128
		}
		dst[i] = b
		l >>= 7
	}
	return n
}

// decodeBacklen reads the backlen ending at byte i; it returns the length
// it encodes and its own size.
func decodeBacklen(lp []byte, i int) (l, size int) {
	shift := uint(0)
	for {
		b := lp[i]
		l |= int(b&127) << shift
		size++
		if b&128 == 0 {
			return l, size
		}
		shift += 7
		i--
	}
}
