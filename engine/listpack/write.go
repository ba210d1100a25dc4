package listpack

import (
	"encoding/binary"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/resp"
)

// Enc is an element encoded for a listpack, so that its size can be known
// before inserting it without encoding it twice.
type Enc struct {
	hdr  [9]byte // encoding byte(s), and an integer's data
	hlen int
	data []byte // string payload (nil for integers)
}

// Encode encodes elem, as an integer when Redis would store it as one
// (lpStringToInt64). elem must stay unchanged while the Enc is used.
func Encode(elem []byte) Enc {
	if len(elem) > 0 && len(elem) <= 20 {
		if v, ok := resp.ParseInt(elem); ok {
			return EncodeInt(v)
		}
	}
	return encodeString(elem)
}

// Size is the number of bytes the element takes in a listpack.
func (e *Enc) Size() int {
	l := e.hlen + len(e.data)
	return l + backlenSize(l)
}

func (e *Enc) write(dst []byte) {
	n := copy(dst, e.hdr[:e.hlen])
	n += copy(dst[n:], e.data)
	putBacklen(dst[n:], n)
}

func encodeString(s []byte) Enc {
	var e Enc
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

// EncodeInt encodes the integer v in the smallest encoding that holds it.
func EncodeInt(v int64) Enc {
	var e Enc
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

// EncodedSize returns the bytes elem takes as an element, backlen
// included.
func EncodedSize(elem []byte) int {
	e := Encode(elem)
	return e.Size()
}

// splice replaces the del bytes at p by room for ins bytes, keeping
// everything after them. It returns the new listpack; the header's total
// is updated, the count is not.
func splice(lp []byte, p, del, ins int) []byte {
	old := len(lp)
	n := old - del + ins
	if ins > del {
		lp = ds.Resize(lp, n)
		copy(lp[p+ins:], lp[p+del:old])
	} else {
		copy(lp[p+ins:], lp[p+del:old])
		lp = lp[:n]
	}
	binary.LittleEndian.PutUint32(lp, uint32(n))
	return lp
}

// InsertEnc inserts an encoded element before the element at p (p == -1
// or the terminator's position appends). It returns the listpack and the
// new element's position.
func InsertEnc(lp []byte, p int, e *Enc) ([]byte, int) {
	if p < 0 {
		p = len(lp) - 1
	}
	lp = splice(lp, p, 0, e.Size())
	e.write(lp[p:])
	addCount(lp, 1)
	return lp, p
}

// Insert inserts elem before the element at p (p == -1 or the
// terminator's position appends). It returns the listpack and the new
// element's position.
func Insert(lp []byte, p int, elem []byte) ([]byte, int) {
	e := Encode(elem)
	return InsertEnc(lp, p, &e)
}

// AppendEnc appends an encoded element.
func AppendEnc(lp []byte, e *Enc) []byte {
	lp, _ = InsertEnc(lp, -1, e)
	return lp
}

// Append appends elem (stored as an integer when it is one).
func Append(lp []byte, elem []byte) []byte {
	e := Encode(elem)
	return AppendEnc(lp, &e)
}

// AppendInt appends the integer v.
func AppendInt(lp []byte, v int64) []byte {
	e := EncodeInt(v)
	return AppendEnc(lp, &e)
}

// Prepend inserts elem first.
func Prepend(lp []byte, elem []byte) []byte {
	lp, _ = Insert(lp, headerSize, elem)
	return lp
}

// ReplaceEnc replaces the element at p with an encoded element, which
// keeps position p.
func ReplaceEnc(lp []byte, p int, e *Enc) []byte {
	lp = splice(lp, p, ElementSize(lp, p), e.Size())
	e.write(lp[p:])
	return lp
}

// Replace replaces the element at p with elem, which keeps position p.
func Replace(lp []byte, p int, elem []byte) []byte {
	e := Encode(elem)
	return ReplaceEnc(lp, p, &e)
}

// ReplaceInt replaces the element at p with the integer v, which keeps
// position p.
func ReplaceInt(lp []byte, p int, v int64) []byte {
	e := EncodeInt(v)
	return ReplaceEnc(lp, p, &e)
}

// Delete removes the element at p. The next element (if any) is now at p.
func Delete(lp []byte, p int) []byte {
	lp = splice(lp, p, ElementSize(lp, p), 0)
	addCount(lp, -1)
	return lp
}

// DeleteRange removes count elements starting at p (fewer when the
// listpack ends first).
func DeleteRange(lp []byte, p, count int) []byte {
	q := p
	n := 0
	for n < count && lp[q] != eof {
		q += ElementSize(lp, q)
		n++
	}
	lp = splice(lp, p, q-p, 0)
	addCount(lp, -n)
	return lp
}

// Clone returns a copy of lp without spare room.
func Clone(lp []byte) []byte { return append([]byte(nil), lp...) }
