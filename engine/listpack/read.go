package listpack

import (
	"encoding/binary"
	"strconv"

	"github.com/redisctl/redisctl/engine/resp"
)

// Get returns the element at p: its bytes (aliasing lp) when it is a
// string, or its value when it is stored as an integer.
func Get(lp []byte, p int) (s []byte, v int64, isInt bool) {
	e := lp[p]
	switch {
	case e&0x80 == 0:
		return nil, int64(e), true
	case e&0xC0 == 0x80:
		n := int(e & 0x3F)
		return lp[p+1 : p+1+n : p+1+n], 0, false
	case e&0xE0 == 0xC0:
		u := uint64(e&0x1F)<<8 | uint64(lp[p+1])
		return nil, signExtend(u, 13), true
	case e&0xF0 == 0xE0:
		n := int(e&0x0F)<<8 | int(lp[p+1])
		return lp[p+2 : p+2+n : p+2+n], 0, false
	}
	switch e {
	case 0xF0:
		n := int(binary.LittleEndian.Uint32(lp[p+1:]))
		return lp[p+5 : p+5+n : p+5+n], 0, false
	case 0xF1:
		return nil, int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), true
	case 0xF2:
		u := uint64(lp[p+1]) | uint64(lp[p+2])<<8 | uint64(lp[p+3])<<16
		return nil, signExtend(u, 24), true
	case 0xF3:
		return nil, int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), true
	case 0xF4:
		return nil, int64(binary.LittleEndian.Uint64(lp[p+1:])), true
	}
	panic("listpack: bad encoding byte " + strconv.Itoa(int(e)))
}

func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// Entry decodes the element at p and returns it with the position of the
// next one, which may be the terminator's (check lp[next] == 0xFF): a walk
// that decodes every element pays for one decode each.
func Entry(lp []byte, p int) (s []byte, v int64, isInt bool, next int) {
	e := lp[p]
	switch {
	case e&0x80 == 0:
		return nil, int64(e), true, p + 2
	case e&0xC0 == 0x80:
		l := 1 + int(e&0x3F)
		return lp[p+1 : p+l : p+l], 0, false, p + l + backlenSize(l)
	}
	s, v, isInt = Get(lp, p)
	return s, v, isInt, p + ElementSize(lp, p)
}

// BytesAt returns the element at p as bytes: a string aliases lp, an
// integer is formatted into buf.
func BytesAt(lp []byte, p int, buf []byte) []byte {
	s, v, isInt := Get(lp, p)
	if isInt {
		return strconv.AppendInt(buf[:0], v, 10)
	}
	return s
}

// AppendValue appends the element at p, as a string, to dst.
func AppendValue(dst, lp []byte, p int) []byte {
	s, v, isInt := Get(lp, p)
	if isInt {
		return strconv.AppendInt(dst, v, 10)
	}
	return append(dst, s...)
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

// SmallInt returns the element at p when it is a 7-bit unsigned integer
// (flags, counts and small deltas usually are), for fast paths; ok is
// false for any other element.
func SmallInt(lp []byte, p int) (int64, bool) {
	if e := lp[p]; e&0x80 == 0 {
		return int64(e), true
	}
	return 0, false
}

// Equal reports whether the element at p is the string s. Canonical
// integers are stored as integers, so an integer element only equals the
// canonical form of its value.
func Equal(lp []byte, p int, s []byte) bool {
	es, v, isInt := Get(lp, p)
	if !isInt {
		return string(es) == string(s)
	}
	n, ok := resp.ParseInt(s)
	return ok && n == v
}

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
			l = encLen(lp, p)
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

// Seek returns the position of the element at index (negative counts
// from the end), or -1 when out of range.
func Seek(lp []byte, index int) int {
	n := Len(lp)
	if index < 0 {
		index += n
	}
	if index < 0 || index >= n {
		return -1
	}
	if index > n/2 {
		p := Last(lp)
		for i := n - 1; i > index; i-- {
			p = Prev(lp, p)
		}
		return p
	}
	p := First(lp)
	for i := 0; i < index; i++ {
		p = Next(lp, p)
	}
	return p
}

// Find returns the position of the first element equal to elem at or
// after p, looking only at every (skip+1)-th element (skip 1 walks hash
// fields), or -1. Canonical integers are stored as integers, so an
// integer-looking elem is only compared with integer elements and a
// string only with strings.
func Find(lp []byte, p int, elem []byte, skip int) int {
	var want int64
	wantInt := false
	if len(elem) <= 20 {
		want, wantInt = resp.ParseInt(elem)
	}
	for p >= 0 && lp[p] != eof {
		e := lp[p]
		var l int // encoding + data length
		switch {
		case e&0x80 == 0:
			if wantInt && int64(e) == want {
				return p
			}
			l = 1
		case e&0xC0 == 0x80:
			n := int(e & 0x3F)
			if !wantInt && n == len(elem) && string(lp[p+1:p+1+n]) == string(elem) {
				return p
			}
			l = 1 + n
		case e&0xF0 == 0xE0:
			n := int(e&0x0F)<<8 | int(lp[p+1])
			if !wantInt && n == len(elem) && string(lp[p+2:p+2+n]) == string(elem) {
				return p
			}
			l = 2 + n
		default:
			s, v, isInt := Get(lp, p)
			if isInt && wantInt && v == want || !isInt && !wantInt && string(s) == string(elem) {
				return p
			}
			l = encLen(lp, p)
		}
		p += l + backlenSize(l)
		for i := 0; i < skip && lp[p] != eof; i++ {
			p += ElementSize(lp, p)
		}
	}
	return -1
}
