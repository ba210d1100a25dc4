package rdb

import (
	"encoding/binary"
	"io"
)

// Writer writes an RDB file to w, keeping its CRC-64.
type Writer struct {
	w        io.Writer
	crc      uint64
	n        int64
	checksum bool
}

// NewWriter returns a Writer; checksum false writes a zero checksum
// (rdbchecksum no).
func NewWriter(w io.Writer, checksum bool) *Writer {
	return &Writer{w: w, checksum: checksum}
}

// Write writes p, which must be whole RDB items built with the Append*
// functions.
func (w *Writer) Write(p []byte) (int, error) {
	if w.checksum {
		w.crc = CRC64(w.crc, p)
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}

// Size returns the bytes written so far.
func (w *Writer) Size() int64 { return w.n }

// Finish writes the EOF opcode and the checksum.
func (w *Writer) Finish() error {
	var tail [9]byte
	tail[0] = OpEOF
	crc := uint64(0)
	if w.checksum {
		crc = CRC64(w.crc, tail[:1])
	}
	binary.LittleEndian.PutUint64(tail[1:], crc)
	n, err := w.w.Write(tail[:])
	w.n += int64(n)
	return err
}
