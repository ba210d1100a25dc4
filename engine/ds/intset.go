package ds

import (
	"encoding/binary"
	"math"
)

// An intset is Redis's sorted array of integers (intset.c), byte for byte:
// encoding (bytes per element: 2, 4 or 8) as uint32, length as uint32, then
// the elements in ascending order, little endian. The encoding widens
// (never narrows) when a value needs it.

const isHdr = 8

// NewIntset returns an empty intset of 16-bit elements.
func NewIntset() []byte {
	is := Alloc(isHdr + 2)[:isHdr]
	binary.LittleEndian.PutUint32(is, 2)
	return is
}

// ISLen returns the number of elements.
func ISLen(is []byte) int { return int(binary.LittleEndian.Uint32(is[4:])) }

// ISEncoding returns the element width in bytes.
func ISEncoding(is []byte) int { return int(binary.LittleEndian.Uint32(is)) }

// ISBytes is the size of the intset's data.
func ISBytes(is []byte) int { return isHdr + ISLen(is)*ISEncoding(is) }

func widthFor(v int64) int {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

// ISGet returns element i.
func ISGet(is []byte, i int) int64 { return isGetEnc(is, i, ISEncoding(is)) }

func isGetEnc(is []byte, i, enc int) int64 {
	off := isHdr + i*enc
	switch enc {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(is[off:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(is[off:])))
	}
	return int64(binary.LittleEndian.Uint64(is[off:]))
}

func isSetEnc(is []byte, i, enc int, v int64) {
	off := isHdr + i*enc
	switch enc {
	case 2:
		binary.LittleEndian.PutUint16(is[off:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(is[off:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(is[off:], uint64(v))
	}
}

// ISSearch returns the index of v and true, or the index where v would be
// inserted and false.
func ISSearch(is []byte, v int64) (int, bool) {
	enc := ISEncoding(is)
	n := ISLen(is)
	if n == 0 || widthFor(v) > enc {
		if n > 0 && v > 0 {
			return n, false
		}
		return 0, false
	}
	lo, hi := 0, n-1
	for lo <= hi {
		m := int(uint(lo+hi) >> 1)
		x := isGetEnc(is, m, enc)
		switch {
		case x < v:
			lo = m + 1
		case x > v:
			hi = m - 1
		default:
			return m, true
		}
	}
	return lo, false
}

// ISContains reports whether v is in the set.
func ISContains(is []byte, v int64) bool {
	_, ok := ISSearch(is, v)
	return ok
}

// ISAdd inserts v and reports whether it was added; the intset may be
// reallocated.
func ISAdd(is []byte, v int64) ([]byte, bool) {
	enc, n := ISEncoding(is), ISLen(is)
	if w := widthFor(v); w > enc {
		return isUpgradeAdd(is, v, w), true
	}
	i, found := ISSearch(is, v)
	if found {
		return is, false
	}
	size := isHdr + (n+1)*enc
	is = Resize(is, size)
	copy(is[isHdr+(i+1)*enc:], is[isHdr+i*enc:isHdr+n*enc])
	isSetEnc(is, i, enc, v)
	binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
	return is, true
}

// isUpgradeAdd widens every element to w bytes and adds v, which is
// smaller or larger than all of them since it did not fit. It works in
// place when the slice has room.
func isUpgradeAdd(is []byte, v int64, w int) []byte {
	enc, n := ISEncoding(is), ISLen(is)
	is = Resize(is, isHdr+(n+1)*w)
	off := 0
	if v < 0 {
		off = 1
	}
	// Widen from the last element down: the wider slots never overlap
	// older elements still to be read.
	for i := n - 1; i >= 0; i-- {
		isSetEnc(is, i+off, w, isGetEnc(is, i, enc))
	}
	if v < 0 {
		isSetEnc(is, 0, w, v)
	} else {
		isSetEnc(is, n, w, v)
	}
	binary.LittleEndian.PutUint32(is, uint32(w))
	binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
	return is
}

// ISGrowth is the most bytes adding one element can add to is.
func ISGrowth(is []byte) int {
	n := ISLen(is)
	return isHdr + (n+1)*8 - len(is)
}

// InitIntset writes an empty intset of 16-bit elements into b (cap >= 8)
// and returns it.
func InitIntset(b []byte) []byte {
	b = b[:isHdr]
	binary.LittleEndian.PutUint32(b, 2)
	binary.LittleEndian.PutUint32(b[4:], 0)
	return b
}

// ISRemove deletes v and reports whether it was there.
func ISRemove(is []byte, v int64) ([]byte, bool) {
	i, found := ISSearch(is, v)
	if !found {
		return is, false
	}
	enc, n := ISEncoding(is), ISLen(is)
	copy(is[isHdr+i*enc:], is[isHdr+(i+1)*enc:isHdr+n*enc])
	binary.LittleEndian.PutUint32(is[4:], uint32(n-1))
	return is[:isHdr+(n-1)*enc], true
}

// ISRemoveAt deletes element i.
func ISRemoveAt(is []byte, i int) []byte {
	enc, n := ISEncoding(is), ISLen(is)
	copy(is[isHdr+i*enc:], is[isHdr+(i+1)*enc:isHdr+n*enc])
	binary.LittleEndian.PutUint32(is[4:], uint32(n-1))
	return is[:isHdr+(n-1)*enc]
}

// ISValid checks an intset loaded from outside: encoding, size, strictly
// ascending elements.
func ISValid(is []byte) bool {
	if len(is) < isHdr {
		return false
	}
	enc := ISEncoding(is)
	if enc != 2 && enc != 4 && enc != 8 {
		return false
	}
	n := ISLen(is)
	if isHdr+n*enc != len(is) {
		return false
	}
	for i := 1; i < n; i++ {
		if isGetEnc(is, i-1, enc) >= isGetEnc(is, i, enc) {
			return false
		}
	}
	return true
}
