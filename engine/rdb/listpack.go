package rdb

import (
	"encoding/binary"
	"math"
)

// ListpackBuilder builds a listpack in Redis's exact layout (strings that
// are canonical integers stored as integers), for values whose engine
// representation is not a listpack already.
type ListpackBuilder struct {
	b []byte
	n int
}

// Reset starts a new listpack, reusing the builder's memory.
func (l *ListpackBuilder) Reset() {
	l.b = append(l.b[:0], 0, 0, 0, 0, 0, 0)
	l.n = 0
}

// Len returns the number of elements appended.
func (l *ListpackBuilder) Len() int { return l.n }

// Size returns the listpack's size in bytes once finished.
func (l *ListpackBuilder) Size() int { return len(l.b) + 1 }

// Append adds a string element.
func (l *ListpackBuilder) Append(s []byte) {
	if len(l.b) == 0 {
		l.Reset()
	}
	if v, ok := isInt(s); ok {
		l.AppendInt(v)
		return
	}
	start := len(l.b)
	switch n := len(s); {
	case n < 64:
		l.b = append(l.b, 0x80|byte(n))
	case n < 4096:
		l.b = append(l.b, 0xE0|byte(n>>8), byte(n))
	default:
		l.b = append(l.b, 0xF0)
		l.b = binary.LittleEndian.AppendUint32(l.b, uint32(n))
	}
	l.b = append(l.b, s...)
	l.b = appendBacklen(l.b, len(l.b)-start)
	l.n++
}

// AppendInt adds an integer element.
func (l *ListpackBuilder) AppendInt(v int64) {
	if len(l.b) == 0 {
		l.Reset()
	}
	start := len(l.b)
	switch {
	case v >= 0 && v <= 127:
		l.b = append(l.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		l.b = append(l.b, 0xC0|byte(u>>8), byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		l.b = append(l.b, 0xF1, byte(v), byte(v>>8))
	case v >= -(1<<23) && v < 1<<23:
		l.b = append(l.b, 0xF2, byte(v), byte(v>>8), byte(v>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		l.b = append(l.b, 0xF3)
		l.b = binary.LittleEndian.AppendUint32(l.b, uint32(v))
	default:
		l.b = append(l.b, 0xF4)
		l.b = binary.LittleEndian.AppendUint64(l.b, uint64(v))
	}
	l.b = appendBacklen(l.b, len(l.b)-start)
	l.n++
}

// Bytes finishes the listpack and returns it; the slice is reused by the
// next Reset.
func (l *ListpackBuilder) Bytes() []byte {
	if len(l.b) == 0 {
		l.Reset()
	}
	out := append(l.b, 0xFF)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	n := l.n
	if n > 65535 {
		n = 65535
	}
	binary.LittleEndian.PutUint16(out[4:], uint16(n))
	return out
}

// AppendIntset appends the intset encoding of sorted, distinct values.
func AppendIntset(b []byte, vals []int64) []byte {
	w := 2
	for _, v := range vals {
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			w = 8
		case (v < math.MinInt16 || v > math.MaxInt16) && w < 4:
			w = 4
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch w {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}
