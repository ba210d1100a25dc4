package listpack

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Validate checks the whole structure of a listpack from an untrusted
// source (an RDB file, a RESTORE payload): the header's size and count,
// every element's encoding and backlen, and the terminator. The other
// functions assume a listpack that passed it.
func Validate(lp []byte) error {
	if len(lp) < headerSize+1 {
		return errors.New("too short")
	}
	if Bytes(lp) != len(lp) {
		return fmt.Errorf("size header %d, blob %d", Bytes(lp), len(lp))
	}
	if lp[len(lp)-1] != eof {
		return errors.New("no terminator")
	}
	end := len(lp) - 1
	p, n := headerSize, 0
	for p < end {
		l, err := checkedEncLen(lp[:end], p)
		if err != nil {
			return err
		}
		bl := backlenSize(l)
		if p+l+bl > end {
			return errors.New("entry overflows")
		}
		var want [5]byte
		putBacklen(want[:], l)
		if string(lp[p+l:p+l+bl]) != string(want[:bl]) {
			return errors.New("bad back length")
		}
		p += l + bl
		n++
	}
	if c := int(binary.LittleEndian.Uint16(lp[4:])); c != unknownCount && c != n {
		return fmt.Errorf("count header %d, entries %d", c, n)
	}
	return nil
}

// checkedEncLen is encLen for an element at p that may not fit in b.
func checkedEncLen(b []byte, p int) (int, error) {
	e := b[p]
	need := 1 // bytes holding the encoding and any length
	switch {
	case e&0x80 == 0, e&0xC0 == 0x80:
	case e&0xE0 == 0xC0, e&0xF0 == 0xE0:
		need = 2
	case e == 0xF0:
		need = 5
	case e >= 0xF1 && e <= 0xF4:
	default:
		return 0, fmt.Errorf("bad encoding byte 0x%02x", e)
	}
	if p+need > len(b) {
		return 0, errors.New("truncated entry")
	}
	l := encLen(b, p)
	if l < 0 || p+l > len(b) {
		return 0, errors.New("entry overflows")
	}
	return l, nil
}
