// Package listpack reads and writes Redis's listpack encoding: a flat byte
// sequence of string and integer elements that can be walked in both
// directions. The engine stores stream nodes in it (so their size, node
// splits and RDB form match Redis's), and the RDB code can hand these bytes
// to disk unchanged.
//
// Layout: a 6-byte header (total bytes, uint32 LE; element count, uint16
// LE, 65535 when unknown), the elements, and an 0xFF terminator. Each
// element is its encoding byte(s) and data followed by a "backlen", the
// size of encoding+data written so that it can be read from right to left.
//
// Positions are byte offsets into the listpack; -1 means none. Functions
// that change a listpack return it, possibly reallocated, like append.
package listpack

import (
	"encoding/binary"
	"strconv"

	"github.com/redisctl/redisctl/engine/resp"
)

const (
	headerSize = 6
	eof        = 0xFF
	// UnknownCount is the header count once it no longer fits in 16 bits.
	unknownCount = 65535
)

// New returns an empty listpack with room for capacity bytes.
func New(capacity int) []byte {
	lp := make([]byte, headerSize+1, max(capacity, headerSize+1))
	binary.LittleEndian.PutUint32(lp, headerSize+1)
	lp[headerSize] = eof
	return lp
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

func setHeader(lp []byte, count int) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if count >= unknownCount {
		count = unknownCount
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(count))
}

func addCount(lp []byte, delta int) {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n == unknownCount {
		return
	}
	setHeader(lp, n+delta)
}

// First returns the position of the first element, or -1.
func First(lp []byte) int {
	if lp[headerSize] == eof {
		return -1
	}
	return headerSize
}

// Last returns the position of the last element, or -1.
func Last(lp []byte) int {
	end := len(lp) - 1
	if end == headerSize {
		return -1
	}
	return Prev(lp, end)
}

// Next returns the position of the element after p, or -1.
func Next(lp []byte, p int) int {
	l := entryLen(lp[p:])
	p += l + backlenSize(l)
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
	l := entryLen(lp[p:])
	return l + backlenSize(l)
}

// Get returns the element at p: its bytes when it is a string, or its
// value when it is stored as an integer.
func Get(lp []byte, p int) (s []byte, v int64, isInt bool) {
	b := lp[p:]
	e := b[0]
	switch {
	case e&0x80 == 0:
		return nil, int64(e & 0x7F), true
	case e&0xC0 == 0x80:
		n := int(e & 0x3F)
		return b[1 : 1+n : 1+n], 0, false
	case e&0xE0 == 0xC0:
		u := uint64(e&0x1F)<<8 | uint64(b[1])
		return nil, signExtend(u, 13), true
	case e&0xF0 == 0xE0:
		n := int(e&0x0F)<<8 | int(b[1])
		return b[2 : 2+n : 2+n], 0, false
	}
	switch e {
	case 0xF0:
		n := int(binary.LittleEndian.Uint32(b[1:]))
		return b[5 : 5+n : 5+n], 0, false
	case 0xF1:
		return nil, int64(int16(binary.LittleEndian.Uint16(b[1:]))), true
	case 0xF2:
		u := uint64(b[1]) | uint64(b[2])<<8 | uint64(b[3])<<16
		return nil, signExtend(u, 24), true
	case 0xF3:
		return nil, int64(int32(binary.LittleEndian.Uint32(b[1:]))), true
	case 0xF4:
		return nil, int64(binary.LittleEndian.Uint64(b[1:])), true
	}
	panic("listpack: bad encoding byte " + strconv.Itoa(int(e)))
}

// GetInt returns the element at p as an integer (strings are parsed).
func GetInt(lp []byte, p int) int64 {
	s, v, isInt := Get(lp, p)
	if isInt {
		return v
	}
	v, _ = resp.ParseInt(s)
	return v
}

// AppendValue appends the element at p, as a string, to dst.
func AppendValue(dst, lp []byte, p int) []byte {
	s, v, isInt := Get(lp, p)
	if isInt {
		return strconv.AppendInt(dst, v, 10)
	}
	return append(dst, s...)
}

// Equal reports whether the element at p is the string s.
func Equal(lp []byte, p int, s []byte) bool {
	es, v, isInt := Get(lp, p)
	if !isInt {
		return string(es) == string(s)
	}
	n, ok := resp.ParseInt(s)
	return ok && n == v
}

func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// entryLen is the size of an element's encoding and data (no backlen).
func entryLen(b []byte) int {
	e := b[0]
	switch {
	case e&0x80 == 0:
		return 1
	case e&0xC0 == 0x80:
		return 1 + int(e&0x3F)
	case e&0xE0 == 0xC0:
		return 2
	case e&0xF0 == 0xE0:
		return 2 + (int(e&0x0F)<<8 | int(b[1]))
	}
	switch e {
	case 0xF0:
		return 5 + int(binary.LittleEndian.Uint32(b[1:]))
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

func appendBacklen(dst []byte, l int) []byte {
	// The leftmost byte holds the highest 7 bits; every byte to its right
	// has bit 7 set, meaning "more bytes to the left" when read backwards.
	n := backlenSize(l)
	for i := n - 1; i >= 0; i-- {
		b := byte(l>>(7*uint(i))) & 127
		if i != n-1 {
			b |= 128
		}
		dst = append(dst, b)
	}
	return dst
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

// EncodedSize returns the bytes s takes as an element, backlen included.
func EncodedSize(s []byte) int {
	if v, ok := strToInt(s); ok {
		return IntSize(v)
	}
	l := strEncLen(len(s)) + len(s)
	return l + backlenSize(l)
}

// IntSize returns the bytes integer v takes as an element.
func IntSize(v int64) int {
	l := intEncLen(v)
	return l + backlenSize(l)
}

func strEncLen(n int) int {
	switch {
	case n < 64:
		return 1
	case n < 4096:
		return 2
	}
	return 5
}

func intEncLen(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

// strToInt reports whether Redis stores s as an integer (lpStringToInt64).
func strToInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	return resp.ParseInt(s)
}

func appendIntEnc(dst []byte, v int64) []byte {
	switch intEncLen(v) {
	case 1:
		return append(dst, byte(v))
	case 2:
		u := uint64(v) & 0x1FFF
		return append(dst, byte(u>>8)|0xC0, byte(u))
	case 3:
		return binary.LittleEndian.AppendUint16(append(dst, 0xF1), uint16(v))
	case 4:
		u := uint32(v) & 0xFFFFFF
		return append(dst, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case 5:
		return binary.LittleEndian.AppendUint32(append(dst, 0xF3), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(dst, 0xF4), uint64(v))
}

func appendStrEnc(dst []byte, s []byte) []byte {
	n := len(s)
	switch strEncLen(n) {
	case 1:
		dst = append(dst, 0x80|byte(n))
	case 2:
		dst = append(dst, 0xE0|byte(n>>8), byte(n))
	default:
		dst = binary.LittleEndian.AppendUint32(append(dst, 0xF0), uint32(n))
	}
	return append(dst, s...)
}

// encode appends the element for s (an integer when Redis would store it
// as one) or, when s is nil and isInt, for v.
func encode(dst []byte, s []byte, v int64, isInt bool) []byte {
	start := len(dst)
	if !isInt {
		v, isInt = strToInt(s)
	}
	if isInt {
		dst = appendIntEnc(dst, v)
	} else {
		dst = appendStrEnc(dst, s)
	}
	return appendBacklen(dst, len(dst)-start)
}

// Append adds the string s (stored as an integer when it is one) at the
// end.
func Append(lp []byte, s []byte) []byte {
	n := Len(lp)
	lp = encode(lp[:len(lp)-1], s, 0, false)
	lp = append(lp, eof)
	setHeader(lp, n+1)
	return lp
}

// AppendInt adds the integer v at the end.
func AppendInt(lp []byte, v int64) []byte {
	n := Len(lp)
	lp = encode(lp[:len(lp)-1], nil, v, true)
	lp = append(lp, eof)
	setHeader(lp, n+1)
	return lp
}

// ReplaceInt replaces the element at p with the integer v. The element
// keeps its position p.
func ReplaceInt(lp []byte, p int, v int64) []byte {
	var buf [16]byte
	enc := encode(buf[:0], nil, v, true)
	old := ElementSize(lp, p)
	switch {
	case len(enc) == old:
		copy(lp[p:], enc)
		return lp
	case len(enc) < old:
		copy(lp[p:], enc)
		lp = append(lp[:p+len(enc)], lp[p+old:]...)
	default:
		grow := len(enc) - old
		lp = append(lp, make([]byte, grow)...)
		copy(lp[p+len(enc):], lp[p+old:len(lp)-grow])
		copy(lp[p:], enc)
	}
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	return lp
}

// Clone returns a copy of lp with no spare capacity.
func Clone(lp []byte) []byte { return append([]byte(nil), lp...) }

// Skip returns the position n elements after p (p itself when n is 0), or
// -1 when the listpack ends first.
func Skip(lp []byte, p, n int) int {
	for ; n > 0; n-- {
		e := lp[p]
		var l int
		switch {
		case e&0x80 == 0:
			l = 1
		case e&0xC0 == 0x80:
			l = 1 + int(e&0x3F)
		case e&0xE0 == 0xC0:
			l = 2
		case e&0xF0 == 0xE0:
			l = 2 + (int(e&0x0F)<<8 | int(lp[p+1]))
		default:
			l = entryLen(lp[p:])
		}
		switch {
		case l <= 127:
			p += l + 1
		case l < 16383:
			p += l + 2
		default:
			p += l + backlenSize(l)
		}
		if lp[p] == eof {
			return -1
		}
	}
	return p
}

// SmallInt returns the element at p when it is a 7-bit unsigned integer
// (flags, counts and small deltas usually are), for fast paths; ok is
// false for any other element.
func SmallInt(lp []byte, p int) (int64, bool) {
	if e := lp[p]; e&0x80 == 0 {
		return int64(e), true
	}
	return 0, false
}
