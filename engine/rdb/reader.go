package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// reader is a buffered reader of RDB primitives that keeps the CRC-64 of
// what it consumed and never allocates more than the input can back: a
// corrupt length makes it fail with EOF, not with a huge allocation.
// When the input's size is known, lengths and element counts that the
// bytes left cannot hold are rejected before any work is done for them.
type reader struct {
	src  io.Reader
	buf  []byte
	pos  int // next byte to consume
	end  int // end of buffered data
	crcd int // buf[:crcd] is already folded into crc
	crc  uint64
	off  int64 // bytes consumed before buf[0]
	err  error // sticky read error (io.EOF included)
	size int64 // the input's size in bytes, -1 when unknown

	fresh  bool   // the last string read is a new allocation, not the buffer
	lzfBuf []byte // scratch space for decompressed strings
}

const readerBuf = 256 << 10

// newReader reads src, which holds size bytes (-1: unknown).
func newReader(src io.Reader, size int64) *reader {
	return &reader{src: src, buf: make([]byte, readerBuf), size: size}
}

// newBytesReader reads from b directly, without copying it.
func newBytesReader(b []byte) *reader {
	return &reader{buf: b, end: len(b), err: io.EOF, size: int64(len(b))}
}

// left returns the number of bytes not consumed yet, or math.MaxInt64
// when the input's size is unknown.
func (r *reader) left() int64 {
	if r.size < 0 {
		return math.MaxInt64
	}
	return max(r.size-r.Offset(), 0)
}

// fits reports whether n items of at least minBytes each can be in what
// is left of the input.
func (r *reader) fits(n uint64, minBytes int64) bool {
	if r.size < 0 {
		return true
	}
	left := uint64(r.left())
	return n <= left && n*uint64(minBytes) <= left
}

// count reads the number of items of a collection, each taking at least
// minBytes of input: a count the input cannot hold is corrupt.
func (r *reader) count(what string, minBytes int64) (int, error) {
	n, enc, err := r.length()
	if err != nil {
		return 0, err
	}
	if enc {
		return 0, r.corrupt("bad %s count", what)
	}
	if n > math.MaxInt32*4 || !r.fits(n, minBytes) {
		return 0, r.tooLarge(what+" count", n)
	}
	return int(n), nil
}

func (r *reader) tooLarge(what string, n uint64) error {
	if r.size < 0 {
		return r.corrupt("%s %d is too large", what, n)
	}
	return r.corrupt("%s %d exceeds the %d bytes left", what, n, r.left())
}

// Offset returns the number of bytes consumed.
func (r *reader) Offset() int64 { return r.off + int64(r.pos) }

// sum returns the CRC-64 of every byte consumed.
func (r *reader) sum() uint64 {
	r.crc = CRC64(r.crc, r.buf[r.crcd:r.pos])
	r.crcd = r.pos
	return r.crc
}

// fill makes at least n bytes available (n <= len(buf)), compacting the
// buffer and reading more. It returns false at the end of input.
func (r *reader) fill(n int) bool {
	if r.end-r.pos >= n {
		return true
	}
	if r.src == nil {
		return false
	}
	if r.pos > 0 {
		r.crc = CRC64(r.crc, r.buf[r.crcd:r.pos])
		copy(r.buf, r.buf[r.pos:r.end])
		r.off += int64(r.pos)
		r.end -= r.pos
		r.pos, r.crcd = 0, 0
	}
	for r.end < n && r.err == nil {
		m, err := r.src.Read(r.buf[r.end:])
		r.end += m
		if err != nil {
			r.err = err
		}
	}
	return r.end-r.pos >= n
}

func (r *reader) eof() error {
	if r.err != nil && r.err != io.EOF {
		return r.err
	}
	return fmt.Errorf("%w: unexpected end of data at offset %d", ErrCorrupt, r.Offset())
}

func (r *reader) corrupt(format string, a ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrCorrupt, r.Offset(), fmt.Sprintf(format, a...))
}

// next returns the next n bytes, aliasing the buffer when they fit in it
// (valid until the next read) and in a fresh slice otherwise.
func (r *reader) next(n int) ([]byte, error) {
	r.fresh = false
	if n <= len(r.buf) {
		if !r.fill(n) {
			return nil, r.eof()
		}
		b := r.buf[r.pos : r.pos+n : r.pos+n]
		r.pos += n
		return b, nil
	}
	// Larger than the buffer: grow a copy chunk by chunk so a corrupt
	// length runs into the end of the input before memory runs out.
	out := make([]byte, 0, len(r.buf))
	for len(out) < n {
		if !r.fill(1) {
			return nil, r.eof()
		}
		k := min(n-len(out), r.end-r.pos)
		out = append(out, r.buf[r.pos:r.pos+k]...)
		r.pos += k
	}
	r.fresh = true
	return out, nil
}

func (r *reader) byte() (byte, error) {
	if !r.fill(1) {
		return 0, r.eof()
	}
	c := r.buf[r.pos]
	r.pos++
	return c, nil
}

// length reads an RDB length; isEnc reports a special string encoding,
// whose number is returned as the length.
func (r *reader) length() (n uint64, isEnc bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case len6:
		return uint64(c & 0x3f), false, nil
	case len14:
		d, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(d), false, err
	case encVal:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case len32:
		b, err := r.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case len64:
		b, err := r.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, r.corrupt("unknown length encoding 0x%02x", c)
}

// plainLen reads a length that must not be a string encoding and must fit
// in an int.
func (r *reader) plainLen() (int, error) {
	n, enc, err := r.length()
	if err != nil {
		return 0, err
	}
	if enc || n > math.MaxInt32*4 {
		return 0, r.corrupt("bad length")
	}
	return int(n), nil
}

// ulen reads a length used as an unsigned number (stream IDs, counters).
func (r *reader) ulen() (uint64, error) {
	n, enc, err := r.length()
	if err == nil && enc {
		err = r.corrupt("bad length")
	}
	return n, err
}

// str reads a string in any encoding. Integer encodings are formatted
// into a fresh slice; other results may alias the reader's buffer until
// the next read: use strCopy to keep them.
func (r *reader) str() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		if n > math.MaxInt32*4 || !r.fits(n, 1) {
			return nil, r.tooLarge("string length", n)
		}
		return r.next(int(n))
	}
	switch n {
	case encInt8, encInt16, encInt32:
		v, err := r.encodedInt(int(n))
		if err != nil {
			return nil, err
		}
		r.fresh = true
		return strconv.AppendInt(nil, v, 10), nil
	case encLZF:
		s, err := r.lzf()
		r.fresh = false
		return s, err
	}
	return nil, r.corrupt("unknown string encoding %d", n)
}

func (r *reader) encodedInt(enc int) (int64, error) {
	size := 1 << enc
	b, err := r.next(size)
	if err != nil {
		return 0, err
	}
	switch enc {
	case encInt8:
		return int64(int8(b[0])), nil
	case encInt16:
		return int64(int16(binary.LittleEndian.Uint16(b))), nil
	}
	return int64(int32(binary.LittleEndian.Uint32(b))), nil
}

// strInt reads a string and reports whether it was stored with an integer
// encoding (so a string value can keep Redis's "int" encoding).
func (r *reader) strOrInt() (s []byte, v int64, isInt bool, err error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, 0, false, err
	}
	if !enc {
		if n > math.MaxInt32*4 || !r.fits(n, 1) {
			return nil, 0, false, r.tooLarge("string length", n)
		}
		s, err = r.next(int(n))
		return s, 0, false, err
	}
	switch n {
	case encInt8, encInt16, encInt32:
		v, err = r.encodedInt(int(n))
		return nil, v, true, err
	case encLZF:
		s, err = r.lzf()
		return s, 0, false, err
	}
	return nil, 0, false, r.corrupt("unknown string encoding %d", n)
}

func (r *reader) lzf() ([]byte, error) {
	clen, err := r.count("LZF compressed byte", 1)
	if err != nil {
		return nil, err
	}
	ulen, err := r.plainLen()
	if err != nil {
		return nil, err
	}
	// A back reference of 3 bytes expands to at most 264.
	if ulen == 0 || ulen > clen*88+32 {
		return nil, r.corrupt("bad LZF lengths %d/%d", clen, ulen)
	}
	in, err := r.next(clen)
	if err != nil {
		return nil, err
	}
	// Decompress into scratch space: callers that keep strings copy them
	// (strCopy), the rest (a string value stored at once) need no copy.
	out, err := Decompress(in, ulen, r.lzfBuf)
	if err != nil {
		return nil, r.corrupt("invalid LZF data")
	}
	if cap(out) <= 1<<20 {
		r.lzfBuf = out
	}
	return out, nil
}

// strCopy reads a string into a slice the caller owns.
func (r *reader) strCopy() ([]byte, error) {
	s, err := r.str()
	if err != nil {
		return nil, err
	}
	if !r.fresh {
		s = append([]byte(nil), s...)
	}
	return s, nil
}

func (r *reader) millis() (int64, error) {
	b, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(b)), nil
}

func (r *reader) binaryDouble() (float64, error) {
	b, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// stringDouble reads the old ZSET score format: a length byte (253 NaN,
// 254 +inf, 255 -inf) then that many ASCII bytes.
func (r *reader) stringDouble() (float64, error) {
	n, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.next(int(n))
	if err != nil {
		return 0, err
	}
	f, perr := strconv.ParseFloat(string(b), 64)
	if perr != nil && !errors.Is(perr, strconv.ErrRange) {
		return 0, r.corrupt("bad double %q", b)
	}
	return f, nil
}
