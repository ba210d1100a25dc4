package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Append* write RDB primitives in the style of strconv.AppendInt: they
// append to b and return the extended slice.

// AppendLen appends an RDB length.
func AppendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|len14<<6, byte(n))
	case n <= math.MaxUint32:
		b = append(b, len32)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, len64)
	return binary.BigEndian.AppendUint64(b, n)
}

// intEncodable returns the value of s when Redis would store it with an
// integer string encoding: a canonical decimal that fits in 32 bits.
func intEncodable(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 11 {
		return 0, false
	}
	v, ok := canonicalInt(s)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return v, true
}

// canonicalInt parses s when it is the canonical decimal form of an int64
// (no sign but '-', no leading zeros, not "-0"), without allocating.
func canonicalInt(s []byte) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	d := s
	if neg {
		d = s[1:]
	}
	if len(d) == 0 || len(d) > 19 || d[0] < '0' || d[0] > '9' || (d[0] == '0' && (len(d) > 1 || neg)) {
		return 0, false
	}
	var u uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case neg && u <= 1<<63:
		return -int64(u-1) - 1, true
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}

// appendEncodedInt appends v with the smallest integer string encoding.
func appendEncodedInt(b []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, encVal<<6|encInt8, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(b, encVal<<6|encInt16, byte(v), byte(v>>8))
	}
	return append(b, encVal<<6|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

// Compressor holds LZF scratch space; the zero value is ready to use. A
// nil *Compressor disables compression (rdbcompression no).
type Compressor struct {
	st  *lzfState
	out []byte
}

// NewCompressor returns a Compressor.
func NewCompressor() *Compressor { return &Compressor{st: new(lzfState)} }

// AppendString appends s as Redis's rdbSaveRawString does: as an integer
// when it is a short canonical number, LZF-compressed when z is not nil,
// s is longer than 20 bytes and compression saves at least 4 bytes,
// otherwise as length + bytes.
func AppendString(b []byte, s []byte, z *Compressor) []byte {
	if len(s) <= 11 {
		if v, ok := intEncodable(s); ok {
			return appendEncodedInt(b, v)
		}
	}
	if z != nil && len(s) > 20 {
		if z.st == nil {
			z.st = new(lzfState)
		}
		if c := Compress(s, len(s)-4, z.out, z.st); c != nil {
			z.out = c[:0]
			b = append(b, encVal<<6|encLZF)
			b = AppendLen(b, uint64(len(c)))
			b = AppendLen(b, uint64(len(s)))
			return append(b, c...)
		}
	}
	b = AppendLen(b, uint64(len(s)))
	return append(b, s...)
}

// AppendInt appends an integer string value (Redis's "int" encoding): an
// integer encoding when it fits in 32 bits, else its decimal digits.
func AppendInt(b []byte, v int64) []byte {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		return appendEncodedInt(b, v)
	}
	var buf [20]byte
	d := strconv.AppendInt(buf[:0], v, 10)
	b = AppendLen(b, uint64(len(d)))
	return append(b, d...)
}

// AppendBinaryDouble appends a float64 as 8 little-endian bytes (ZSET_2
// scores, ZSET_2 and stream consumer times use this width too).
func AppendBinaryDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// AppendMillis appends a millisecond time as 8 little-endian bytes.
func AppendMillis(b []byte, ms int64) []byte {
	return binary.LittleEndian.AppendUint64(b, uint64(ms))
}

// AppendHeader appends the "REDIS0010" magic.
func AppendHeader(b []byte) []byte {
	b = append(b, "REDIS00"...)
	return strconv.AppendInt(b, Version, 10)
}

// AppendAux appends an aux field.
func AppendAux(b []byte, key, val string) []byte {
	b = append(b, OpAux)
	b = AppendString(b, []byte(key), nil)
	return AppendString(b, []byte(val), nil)
}

// AppendSelectDB appends a SELECTDB opcode.
func AppendSelectDB(b []byte, db int) []byte {
	return AppendLen(append(b, OpSelectDB), uint64(db))
}

// AppendResizeDB appends a RESIZEDB hint.
func AppendResizeDB(b []byte, size, expires uint64) []byte {
	b = AppendLen(append(b, OpResizeDB), size)
	return AppendLen(b, expires)
}

// AppendFunction appends a function library (FUNCTION2 opcode).
func AppendFunction(b []byte, code []byte) []byte {
	return AppendString(append(b, OpFunction2), code, nil)
}

// KeyMeta is what precedes a key's type byte: expire and, when the
// eviction policy uses them, LRU idle time or LFU frequency.
type KeyMeta struct {
	ExpireAt int64 // unix ms, 0 for none
	Idle     int64 // seconds, -1 for none
	Freq     int   // LFU counter, -1 for none
}

// AppendKeyHeader appends the opcodes of m, the type byte and the key.
func AppendKeyHeader(b []byte, m KeyMeta, typ byte, key []byte, z *Compressor) []byte {
	if m.ExpireAt != 0 {
		b = AppendMillis(append(b, OpExpireMs), m.ExpireAt)
	}
	if m.Idle >= 0 {
		b = AppendLen(append(b, OpIdle), uint64(m.Idle))
	}
	if m.Freq >= 0 {
		b = append(b, OpFreq, byte(m.Freq))
	}
	b = append(b, typ)
	return AppendString(b, key, z)
}

// AppendDumpFooter turns a serialized value (type byte + value) into a
// DUMP payload: RDB version as 2 little-endian bytes, then the CRC-64 of
// everything before.
func AppendDumpFooter(payload []byte) []byte {
	payload = binary.LittleEndian.AppendUint16(payload, Version)
	return binary.LittleEndian.AppendUint64(payload, CRC64(0, payload))
}
