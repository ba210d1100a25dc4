package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// Readers of Redis's compact encodings as they appear inside RDB strings:
// listpack, ziplist, intset and zipmap. Each validates the whole blob and
// calls fn with every element (integers formatted as decimal strings into
// a scratch buffer: fn must copy what it keeps).

// Listpack: 4-byte total size, 2-byte count, entries, 0xFF. An entry is
// an encoding byte with its data, then its length backwards.

func errBlob(kind, format string, a ...any) error {
	return fmt.Errorf("%w: invalid %s: %s", ErrCorrupt, kind, fmt.Sprintf(format, a...))
}

// ListpackEach calls fn with each element of lp.
func ListpackEach(lp []byte, fn func(elem []byte) error) error {
	if len(lp) < 7 {
		return errBlob("listpack", "too short")
	}
	if int(binary.LittleEndian.Uint32(lp)) != len(lp) {
		return errBlob("listpack", "size header %d, blob %d", binary.LittleEndian.Uint32(lp), len(lp))
	}
	if lp[len(lp)-1] != 0xFF {
		return errBlob("listpack", "no terminator")
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	var num [24]byte
	p, n := 6, 0
	for p < len(lp)-1 {
		elem, size, err := listpackEntry(lp[p:len(lp)-1], num[:0])
		if err != nil {
			return err
		}
		bl := backlenSize(size)
		if p+size+bl > len(lp)-1 {
			return errBlob("listpack", "entry overflows")
		}
		if v, w := readBacklen(lp[p+size : p+size+bl]); v != uint64(size) || w != bl {
			return errBlob("listpack", "bad back length")
		}
		if err := fn(elem); err != nil {
			return err
		}
		p += size + bl
		n++
	}
	if count != 65535 && count != n {
		return errBlob("listpack", "count header %d, entries %d", count, n)
	}
	return nil
}

// ListpackLen returns the number of elements of a listpack that
// ListpackEach accepted.
func ListpackLen(lp []byte) int {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n != 65535 {
		return n
	}
	n = 0
	ListpackEach(lp, func([]byte) error { n++; return nil })
	return n
}

// listpackEntry decodes the entry at the start of b (without its back
// length) and returns its value and encoded size.
func listpackEntry(b []byte, num []byte) ([]byte, int, error) {
	if len(b) == 0 {
		return nil, 0, errBlob("listpack", "truncated entry")
	}
	c := b[0]
	var v int64
	var size int
	switch {
	case c&0x80 == 0: // 7-bit uint
		return strconv.AppendInt(num, int64(c&0x7f), 10), 1, nil
	case c&0xC0 == 0x80: // 6-bit string length
		l := int(c & 0x3f)
		if 1+l > len(b) {
			return nil, 0, errBlob("listpack", "string overflows")
		}
		return b[1 : 1+l], 1 + l, nil
	case c&0xE0 == 0xC0: // 13-bit int
		if len(b) < 2 {
			return nil, 0, errBlob("listpack", "truncated entry")
		}
		u := uint64(c&0x1f)<<8 | uint64(b[1])
		return strconv.AppendInt(num, signExtend(u, 13), 10), 2, nil
	case c&0xF0 == 0xE0: // 12-bit string length
		if len(b) < 2 {
			return nil, 0, errBlob("listpack", "truncated entry")
		}
		l := int(c&0x0f)<<8 | int(b[1])
		if 2+l > len(b) {
			return nil, 0, errBlob("listpack", "string overflows")
		}
		return b[2 : 2+l], 2 + l, nil
	case c == 0xF0: // 32-bit string length
		if len(b) < 5 {
			return nil, 0, errBlob("listpack", "truncated entry")
		}
		l := int(binary.LittleEndian.Uint32(b[1:]))
		if l < 0 || 5+l > len(b) {
			return nil, 0, errBlob("listpack", "string overflows")
		}
		return b[5 : 5+l], 5 + l, nil
	case c == 0xF1:
		size = 2
	case c == 0xF2:
		size = 3
	case c == 0xF3:
		size = 4
	case c == 0xF4:
		size = 8
	default:
		return nil, 0, errBlob("listpack", "bad encoding byte 0x%02x", c)
	}
	if 1+size > len(b) {
		return nil, 0, errBlob("listpack", "truncated integer")
	}
	var u uint64
	for i := size; i >= 1; i-- {
		u = u<<8 | uint64(b[i])
	}
	v = signExtend(u, uint(size*8))
	return strconv.AppendInt(num, v, 10), 1 + size, nil
}

func signExtend(u uint64, bits uint) int64 {
	if bits >= 64 {
		return int64(u)
	}
	shift := 64 - bits
	return int64(u<<shift) >> shift
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

// readBacklen decodes a back length stored in b (read from its end).
func readBacklen(b []byte) (uint64, int) {
	var v uint64
	shift, w := uint(0), 0
	for i := len(b) - 1; i >= 0; i-- {
		v |= uint64(b[i]&127) << shift
		w++
		if b[i]&128 == 0 {
			break
		}
		shift += 7
	}
	return v, w
}

func appendBacklen(b []byte, l int) []byte {
	switch n := backlenSize(l); n {
	case 1:
		return append(b, byte(l))
	default:
		for i := n - 1; i >= 0; i-- {
			c := byte(l >> (7 * uint(i)) & 127)
			if i != n-1 {
				c |= 128
			}
			b = append(b, c)
		}
		return b
	}
}

// Ziplist: 4-byte total size, 4-byte tail offset, 2-byte count, entries,
// 0xFF. An entry is the previous entry's length (1 byte, or 0xFE and 4
// bytes), an encoding and the data.

// ZiplistEach calls fn with each element of zl.
func ZiplistEach(zl []byte, fn func(elem []byte) error) error {
	if len(zl) < 11 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xFF {
		return errBlob("ziplist", "bad header")
	}
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	var num [24]byte
	p, n, prevLen, last := 10, 0, 0, 10
	for p < len(zl)-1 {
		start := p
		var pl int
		if zl[p] < 254 {
			pl = int(zl[p])
			p++
		} else if zl[p] == 254 {
			if p+5 > len(zl)-1 {
				return errBlob("ziplist", "truncated prevlen")
			}
			pl = int(binary.LittleEndian.Uint32(zl[p+1:]))
			p += 5
		} else {
			return errBlob("ziplist", "bad prevlen")
		}
		if pl != prevLen {
			return errBlob("ziplist", "prevlen %d, previous entry %d", pl, prevLen)
		}
		elem, size, err := ziplistValue(zl[p:len(zl)-1], num[:0])
		if err != nil {
			return err
		}
		p += size
		if err := fn(elem); err != nil {
			return err
		}
		prevLen = p - start
		last = start
		n++
	}
	if n > 0 && tail != last || n == 0 && tail != 10 {
		return errBlob("ziplist", "bad tail offset")
	}
	if count != 65535 && count != n {
		return errBlob("ziplist", "count header %d, entries %d", count, n)
	}
	return nil
}

func ziplistValue(b []byte, num []byte) ([]byte, int, error) {
	if len(b) == 0 {
		return nil, 0, errBlob("ziplist", "truncated entry")
	}
	c := b[0]
	strAt := func(hdr, l int) ([]byte, int, error) {
		if l < 0 || hdr+l > len(b) {
			return nil, 0, errBlob("ziplist", "string overflows")
		}
		return b[hdr : hdr+l], hdr + l, nil
	}
	switch c >> 6 {
	case 0:
		return strAt(1, int(c&0x3f))
	case 1:
		if len(b) < 2 {
			return nil, 0, errBlob("ziplist", "truncated entry")
		}
		return strAt(2, int(c&0x3f)<<8|int(b[1]))
	case 2:
		if c != 0x80 || len(b) < 5 {
			return nil, 0, errBlob("ziplist", "bad string encoding")
		}
		return strAt(5, int(binary.BigEndian.Uint32(b[1:])))
	}
	var size int
	switch c {
	case 0xC0:
		size = 2
	case 0xD0:
		size = 4
	case 0xE0:
		size = 8
	case 0xF0:
		size = 3
	case 0xFE:
		size = 1
	default:
		if c >= 0xF1 && c <= 0xFD {
			return strconv.AppendInt(num, int64(c&0x0f)-1, 10), 1, nil
		}
		return nil, 0, errBlob("ziplist", "bad encoding byte 0x%02x", c)
	}
	if 1+size > len(b) {
		return nil, 0, errBlob("ziplist", "truncated integer")
	}
	var u uint64
	for i := size; i >= 1; i-- {
		u = u<<8 | uint64(b[i])
	}
	return strconv.AppendInt(num, signExtend(u, uint(size*8)), 10), 1 + size, nil
}

// IntsetEach calls fn with each integer of an intset: 4-byte width (2, 4
// or 8), 4-byte count, sorted little-endian integers.
func IntsetEach(is []byte, fn func(v int64) error) error {
	if len(is) < 8 {
		return errBlob("intset", "too short")
	}
	w := int(binary.LittleEndian.Uint32(is))
	n := int(binary.LittleEndian.Uint32(is[4:]))
	if w != 2 && w != 4 && w != 8 || n < 0 || n > (len(is)-8)/w || 8+n*w != len(is) {
		return errBlob("intset", "bad header")
	}
	prev := int64(math.MinInt64)
	for i := 0; i < n; i++ {
		b := is[8+i*w:]
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		default:
			v = int64(binary.LittleEndian.Uint64(b))
		}
		if i > 0 && v <= prev {
			return errBlob("intset", "not sorted")
		}
		prev = v
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// ZipmapEach calls fn with each field and value of a zipmap (Redis 2.x
// hashes): a count byte, then (len, field, len, free, value, free bytes)
// entries and 0xFF. Lengths are one byte, or 254 and 4 little-endian
// bytes.
func ZipmapEach(zm []byte, fn func(field, value []byte) error) error {
	if len(zm) < 2 || zm[len(zm)-1] != 0xFF {
		return errBlob("zipmap", "bad header")
	}
	p := 1
	readLen := func() (int, bool) {
		if p >= len(zm)-1 {
			return 0, false
		}
		c := zm[p]
		if c < 254 {
			p++
			return int(c), true
		}
		if c != 254 || p+5 > len(zm)-1 {
			return 0, false
		}
		l := int(binary.LittleEndian.Uint32(zm[p+1:]))
		p += 5
		return l, l >= 0
	}
	for p < len(zm)-1 {
		kl, ok := readLen()
		if !ok || p+kl > len(zm)-1 {
			return errBlob("zipmap", "bad field")
		}
		field := zm[p : p+kl]
		p += kl
		vl, ok := readLen()
		if !ok || p >= len(zm)-1 {
			return errBlob("zipmap", "bad value")
		}
		free := int(zm[p])
		p++
		if p+vl+free > len(zm)-1 {
			return errBlob("zipmap", "value overflows")
		}
		value := zm[p : p+vl]
		p += vl + free
		if err := fn(field, value); err != nil {
			return err
		}
	}
	return nil
}
