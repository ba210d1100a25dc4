package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/engine/listpack"
)

// Readers of Redis's compact encodings as they appear inside RDB strings:
// listpack, ziplist, intset and zipmap. Each validates the whole blob and
// calls fn with every element (integers formatted as decimal strings into
// a scratch buffer: fn must copy what it keeps).

func errBlob(kind, format string, a ...any) error {
	return fmt.Errorf("%w: invalid %s: %s", ErrCorrupt, kind, fmt.Sprintf(format, a...))
}

// ListpackEach validates lp (listpack.Validate) and calls fn with each
// element.
func ListpackEach(lp []byte, fn func(elem []byte) error) error {
	if err := listpack.Validate(lp); err != nil {
		return errBlob("listpack", "%v", err)
	}
	var num [24]byte
	for p := listpack.First(lp); p >= 0; p = listpack.Next(lp, p) {
		if err := fn(listpack.BytesAt(lp, p, num[:0])); err != nil {
			return err
		}
	}
	return nil
}

func signExtend(u uint64, bits uint) int64 {
	if bits >= 64 {
		return int64(u)
	}
	shift := 64 - bits
	return int64(u<<shift) >> shift
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
