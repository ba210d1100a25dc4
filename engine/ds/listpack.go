package ds

import (
	"encoding/binary"
	"strconv"

	"github.com/redisctl/redisctl/engine/resp"
)

// A listpack is Redis's compact sequence of strings and integers, byte for
// byte (listpack.c): a 6-byte header (total bytes as uint32, element count
// as uint16, 65535 when unknown), the entries, and a 0xFF terminator. Each
// entry is an encoding byte (holding small integers and string lengths),
// its data, and a "backlen" — the entry's length written backwards — so it
// can be walked in both directions. Strings that read as canonical int64
// are stored as integers, as Redis does.
//
// The functions take and return []byte: len is the listpack's total size
// and cap the allocation, which insertions use before reallocating.
// Positions are byte offsets of entries; -1 means none.

const (
	lpHdrSize  = 6
	lpEOF      = 0xFF
	lpCountMax = 65535
)

// NewListpack returns an empty listpack with room for capacity bytes.
func NewListpack(capacity int) []byte {
	lp := Alloc(max(capacity, lpHdrSize+1))[:lpHdrSize+1]
	binary.LittleEndian.PutUint32(lp, lpHdrSize+1)
	binary.LittleEndian.PutUint16(lp[4:], 0)
	lp[lpHdrSize] = lpEOF
	return lp
}

// InitListpack writes an empty listpack into b (cap >= 7) and returns it.
func InitListpack(b []byte) []byte {
	b = b[:lpHdrSize+1]
	binary.LittleEndian.PutUint32(b, lpHdrSize+1)
	binary.LittleEndian.PutUint16(b[4:], 0)
	b[lpHdrSize] = lpEOF
	return b
}

// LPBytes returns the total size recorded in a listpack's header.
func LPBytes(lp []byte) int { return int(binary.LittleEndian.Uint32(lp)) }

// LPLen returns the number of elements.
func LPLen(lp []byte) int {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n != lpCountMax {
		return n
	}
	n = 0
	for p := LPFirst(lp); p >= 0; p = LPNext(lp, p) {
		n++
	}
	return n
}

// LPSetHeader writes the header of lp: its length as the total and count
// (65535 when it does not fit) as the element count.
func LPSetHeader(lp []byte, count int) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if count >= lpCountMax || count < 0 {
		count = lpCountMax
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(count))
}

func lpAddCount(lp []byte, delta int) {
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n == lpCountMax {
		LPSetHeader(lp, LPLen(lp)+delta)
		return
	}
	LPSetHeader(lp, n+delta)
}

// LPFirst returns the position of the first entry, or -1.
func LPFirst(lp []byte) int {
	if lp[lpHdrSize] == lpEOF {
		return -1
	}
	return lpHdrSize
}

// LPLast returns the position of the last entry, or -1.
func LPLast(lp []byte) int {
	end := len(lp) - 1
	if end == lpHdrSize {
		return -1
	}
	return end - lpPrevLen(lp, end-1)
}

// LPNext returns the position of the entry after p, or -1.
func LPNext(lp []byte, p int) int {
	p += lpEntrySize(lp, p)
	if lp[p] == lpEOF {
		return -1
	}
	return p
}

// LPPrev returns the position of the entry before p, or -1.
func LPPrev(lp []byte, p int) int {
	if p == lpHdrSize {
		return -1
	}
	return p - lpPrevLen(lp, p-1)
}

// lpPrevLen decodes the backlen ending at q and returns the whole size of
// that entry (encoding, data and backlen).
func lpPrevLen(lp []byte, q int) int {
	var v, shift uint
	n := 0
	for {
		b := lp[q]
		v |= uint(b&127) << shift
		n++
		if b&128 == 0 {
			break
		}
		shift += 7
		q--
	}
	return int(v) + n
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

func putBacklen(dst []byte, l int) int {
	n := backlenSize(l)
	// Most significant group first; every byte but the first carries the
	// continuation bit, which a backwards reader sees first.
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

// lpEncLen returns the size of p's encoding and data (without backlen).
func lpEncLen(lp []byte, p int) int {
	b := lp[p]
	switch {
	case b&0x80 == 0:
		return 1
	case b&0xC0 == 0x80:
		return 1 + int(b&0x3F)
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 2 + (int(b&0x0F)<<8 | int(lp[p+1]))
	}
	switch b {
	case 0xF1:
		return 3
	case 0xF2:
		return 4
	case 0xF3:
		return 5
	case 0xF4:
		return 9
	case 0xF0:
		return 5 + int(binary.LittleEndian.Uint32(lp[p+1:]))
	}
	panic("listpack: bad encoding byte")
}

func lpEntrySize(lp []byte, p int) int {
	l := lpEncLen(lp, p)
	return l + backlenSize(l)
}

// LPGet returns the entry at p: a string (s != nil, aliasing lp) or an
// integer.
func LPGet(lp []byte, p int) (s []byte, v int64, isInt bool) {
	b := lp[p]
	switch {
	case b&0x80 == 0:
		return nil, int64(b), true
	case b&0xC0 == 0x80:
		n := int(b & 0x3F)
		return lp[p+1 : p+1+n : p+1+n], 0, false
	case b&0xE0 == 0xC0:
		u := uint64(b&0x1F)<<8 | uint64(lp[p+1])
		return nil, signExtend(u, 13), true
	case b&0xF0 == 0xE0:
		n := int(b&0x0F)<<8 | int(lp[p+1])
		return lp[p+2 : p+2+n : p+2+n], 0, false
	}
	switch b {
	case 0xF1:
		return nil, int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), true
	case 0xF2:
		u := uint64(lp[p+1]) | uint64(lp[p+2])<<8 | uint64(lp[p+3])<<16
		return nil, signExtend(u, 24), true
	case 0xF3:
		return nil, int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), true
	case 0xF4:
		return nil, int64(binary.LittleEndian.Uint64(lp[p+1:])), true
	case 0xF0:
		n := int(binary.LittleEndian.Uint32(lp[p+1:]))
		return lp[p+5 : p+5+n : p+5+n], 0, false
	}
	panic("listpack: bad encoding byte")
}

func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// LPEntry decodes the entry at p and returns it with the position of the
// next entry (which may be the terminator: check lp[next] == 0xFF).
func LPEntry(lp []byte, p int) (s []byte, v int64, isInt bool, next int) {
	b := lp[p]
	switch {
	case b&0x80 == 0:
		return nil, int64(b), true, p + 2
	case b&0xC0 == 0x80:
		n := int(b & 0x3F)
		l := 1 + n
		return lp[p+1 : p+l : p+l], 0, false, p + l + backlenSize(l)
	}
	s, v, isInt = LPGet(lp, p)
	return s, v, isInt, p + lpEntrySize(lp, p)
}

// LPBytesAt returns the entry at p as bytes; integers are formatted into
// buf.
func LPBytesAt(lp []byte, p int, buf []byte) []byte {
	s, v, isInt := LPGet(lp, p)
	if isInt {
		return strconv.AppendInt(buf[:0], v, 10)
	}
	return s
}

// LPEqual reports whether the entry at p equals elem.
func LPEqual(lp []byte, p int, elem []byte) bool {
	s, v, isInt := LPGet(lp, p)
	if !isInt {
		return string(s) == string(elem)
	}
	var buf [20]byte
	return string(strconv.AppendInt(buf[:0], v, 10)) == string(elem)
}

// entryEnc is an element's encoded header (and data, for integers).
type entryEnc struct {
	hdr  [9]byte
	hlen int
	data []byte // string payload (nil for integers)
}

func (e *entryEnc) size() int {
	l := e.hlen + len(e.data)
	return l + backlenSize(l)
}

func (e *entryEnc) write(dst []byte) {
	n := copy(dst, e.hdr[:e.hlen])
	n += copy(dst[n:], e.data)
	putBacklen(dst[n:], n)
}

func encodeElem(elem []byte) entryEnc {
	if len(elem) > 0 && len(elem) <= 20 {
		if v, ok := resp.ParseInt(elem); ok {
			return encodeInt(v)
		}
	}
	return encodeString(elem)
}

func encodeString(s []byte) entryEnc {
	var e entryEnc
	n := len(s)
	switch {
	case n < 64:
		e.hdr[0] = 0x80 | byte(n)
		e.hlen = 1
	case n < 4096:
		e.hdr[0] = 0xE0 | byte(n>>8)
		e.hdr[1] = byte(n)
		e.hlen = 2
	default:
		e.hdr[0] = 0xF0
		binary.LittleEndian.PutUint32(e.hdr[1:], uint32(n))
		e.hlen = 5
	}
	e.data = s
	return e
}

func encodeInt(v int64) entryEnc {
	var e entryEnc
	switch {
	case v >= 0 && v <= 127:
		e.hdr[0] = byte(v)
		e.hlen = 1
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1FFF
		e.hdr[0] = 0xC0 | byte(u>>8)
		e.hdr[1] = byte(u)
		e.hlen = 2
	case v >= -32768 && v <= 32767:
		e.hdr[0] = 0xF1
		binary.LittleEndian.PutUint16(e.hdr[1:], uint16(v))
		e.hlen = 3
	case v >= -8388608 && v <= 8388607:
		e.hdr[0] = 0xF2
		e.hdr[1], e.hdr[2], e.hdr[3] = byte(v), byte(v>>8), byte(v>>16)
		e.hlen = 4
	case v >= -2147483648 && v <= 2147483647:
		e.hdr[0] = 0xF3
		binary.LittleEndian.PutUint32(e.hdr[1:], uint32(v))
		e.hlen = 5
	default:
		e.hdr[0] = 0xF4
		binary.LittleEndian.PutUint64(e.hdr[1:], uint64(v))
		e.hlen = 9
	}
	return e
}

// Enc is an element encoded for a listpack, so that its size can be known
// before inserting it without encoding it twice.
type Enc struct{ e entryEnc }

// Encode encodes elem (which must stay unchanged while the Enc is used).
func Encode(elem []byte) Enc { return Enc{encodeElem(elem)} }

// Size is the number of bytes the element takes in a listpack.
func (e *Enc) Size() int { return e.e.size() }

// LPAppendEnc appends an encoded element.
func LPAppendEnc(lp []byte, e *Enc) []byte {
	p := len(lp) - 1
	lp = lpSplice(lp, p, 0, e.e.size())
	e.e.write(lp[p:])
	lpAddCount(lp, 1)
	return lp
}

// LPReplaceEnc replaces the entry at p with an encoded element.
func LPReplaceEnc(lp []byte, p int, e *Enc) []byte {
	lp = lpSplice(lp, p, lpEntrySize(lp, p), e.e.size())
	e.e.write(lp[p:])
	return lp
}

// LPEntrySizeAt is the number of bytes the entry at p takes.
func LPEntrySizeAt(lp []byte, p int) int { return lpEntrySize(lp, p) }

// LPEntrySize is the number of bytes elem takes as a listpack entry.
func LPEntrySize(elem []byte) int {
	e := encodeElem(elem)
	return e.size()
}

// resize makes lp have length n, reallocating when cap is too small.
// Bytes up to keep are preserved; the caller moves the rest.
func lpResize(lp []byte, n int) []byte {
	if n <= cap(lp) {
		return lp[:n]
	}
	nb := Alloc(n)
	copy(nb, lp)
	return nb
}

// splice replaces the del bytes at p by room for ins bytes, keeping
// everything after them. It returns the new listpack; the header's total
// is updated, the count is not.
func lpSplice(lp []byte, p, del, ins int) []byte {
	old := len(lp)
	n := old - del + ins
	if ins > del {
		lp = lpResize(lp, n)
		copy(lp[p+ins:], lp[p+del:old])
	} else {
		copy(lp[p+ins:], lp[p+del:old])
		lp = lp[:n]
	}
	binary.LittleEndian.PutUint32(lp, uint32(n))
	return lp
}

// LPInsert inserts elem before the entry at p (p == -1 or the EOF position
// appends). It returns the listpack and the new entry's position.
func LPInsert(lp []byte, p int, elem []byte) ([]byte, int) {
	if p < 0 {
		p = len(lp) - 1
	}
	e := encodeElem(elem)
	sz := e.size()
	lp = lpSplice(lp, p, 0, sz)
	e.write(lp[p:])
	lpAddCount(lp, 1)
	return lp, p
}

// LPAppend appends elem.
func LPAppend(lp []byte, elem []byte) []byte {
	lp, _ = LPInsert(lp, -1, elem)
	return lp
}

// LPAppendInt appends an integer.
func LPAppendInt(lp []byte, v int64) []byte {
	e := encodeInt(v)
	p := len(lp) - 1
	lp = lpSplice(lp, p, 0, e.size())
	e.write(lp[p:])
	lpAddCount(lp, 1)
	return lp
}

// LPPrepend inserts elem first.
func LPPrepend(lp []byte, elem []byte) []byte {
	lp, _ = LPInsert(lp, lpHdrSize, elem)
	return lp
}

// LPReplace replaces the entry at p with elem; the entry keeps position p.
func LPReplace(lp []byte, p int, elem []byte) []byte {
	e := encodeElem(elem)
	lp = lpSplice(lp, p, lpEntrySize(lp, p), e.size())
	e.write(lp[p:])
	return lp
}

// LPDelete removes the entry at p. The next entry (if any) is now at p.
func LPDelete(lp []byte, p int) []byte {
	lp = lpSplice(lp, p, lpEntrySize(lp, p), 0)
	lpAddCount(lp, -1)
	return lp
}

// LPDeleteRange removes count entries starting at p.
func LPDeleteRange(lp []byte, p, count int) []byte {
	q := p
	n := 0
	for n < count && lp[q] != lpEOF {
		q += lpEntrySize(lp, q)
		n++
	}
	lp = lpSplice(lp, p, q-p, 0)
	lpAddCount(lp, -n)
	return lp
}

// LPSeek returns the position of the element at index (negative counts
// from the end), or -1 when out of range.
func LPSeek(lp []byte, index int) int {
	n := LPLen(lp)
	if index < 0 {
		index += n
	}
	if index < 0 || index >= n {
		return -1
	}
	if index > n/2 {
		p := LPLast(lp)
		for i := n - 1; i > index; i-- {
			p = LPPrev(lp, p)
		}
		return p
	}
	p := LPFirst(lp)
	for i := 0; i < index; i++ {
		p = LPNext(lp, p)
	}
	return p
}

// LPFind returns the position of the first entry equal to elem at or after
// p, looking only at every (skip+1)-th entry (skip 1 walks hash fields), or
// -1. Canonical integers are stored as integers, so an integer-looking elem
// is only compared with integer entries and a string only with strings.
func LPFind(lp []byte, p int, elem []byte, skip int) int {
	var want int64
	wantInt := false
	if len(elem) <= 20 {
		want, wantInt = resp.ParseInt(elem)
	}
	for p >= 0 && lp[p] != lpEOF {
		b := lp[p]
		var l int // encoding + data length
		switch {
		case b&0x80 == 0:
			if wantInt && int64(b) == want {
				return p
			}
			l = 1
		case b&0xC0 == 0x80:
			n := int(b & 0x3F)
			if !wantInt && n == len(elem) && string(lp[p+1:p+1+n]) == string(elem) {
				return p
			}
			l = 1 + n
		case b&0xF0 == 0xE0:
			n := int(b&0x0F)<<8 | int(lp[p+1])
			if !wantInt && n == len(elem) && string(lp[p+2:p+2+n]) == string(elem) {
				return p
			}
			l = 2 + n
		default:
			s, v, isInt := LPGet(lp, p)
			if isInt && wantInt && v == want || !isInt && !wantInt && string(s) == string(elem) {
				return p
			}
			l = lpEncLen(lp, p)
		}
		p += l + backlenSize(l)
		for i := 0; i < skip && lp[p] != lpEOF; i++ {
			p += lpEntrySize(lp, p)
		}
	}
	return -1
}

// LPValid checks the structure of a listpack (for loading untrusted data):
// header, every entry's encoding and backlen, and the count.
func LPValid(lp []byte) bool {
	if len(lp) < lpHdrSize+1 || LPBytes(lp) != len(lp) || lp[len(lp)-1] != lpEOF {
		return false
	}
	p, n := lpHdrSize, 0
	for lp[p] != lpEOF {
		if !lpEntryFits(lp, p) {
			return false
		}
		l := lpEncLen(lp, p)
		sz := l + backlenSize(l)
		if p+sz >= len(lp) || lpPrevLen(lp, p+sz-1) != sz {
			return false
		}
		p += sz
		n++
	}
	if p != len(lp)-1 {
		return false
	}
	c := int(binary.LittleEndian.Uint16(lp[4:]))
	return c == lpCountMax || c == n
}

// lpEntryFits reports whether the encoding at p can be decoded within lp.
func lpEntryFits(lp []byte, p int) bool {
	b := lp[p]
	need := 1
	switch {
	case b&0x80 == 0, b&0xC0 == 0x80:
	case b&0xE0 == 0xC0, b&0xF0 == 0xE0:
		need = 2
	case b == 0xF0:
		need = 5
	case b >= 0xF1 && b <= 0xF4:
	default:
		return false
	}
	if p+need >= len(lp) {
		return false
	}
	return p+lpEncLen(lp, p) < len(lp)
}
