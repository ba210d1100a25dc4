package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrTruncated is wrapped by errors about a file that ends in the middle
// of a command (a crash during a write): repairable by truncating it.
var ErrTruncated = errors.New("truncated AOF")

// ErrFormat is wrapped by errors about bytes that are not commands.
var ErrFormat = errors.New("bad AOF format")

// CommandReader reads the commands of an AOF stream.
type CommandReader struct {
	r    *bufio.Reader
	off  int64 // bytes consumed (of complete commands and annotations)
	line int64 // lines consumed
	argv [][]byte
	arg  []byte
	ends []int // where each argument ends in arg

	// ValidUpTo is the offset just after the last complete command
	// outside a MULTI/EXEC block (what a repair keeps).
	ValidUpTo     int64
	ValidUpToLine int64
	inMulti       bool
}

// NewCommandReader reads commands from r, whose first byte is at offset
// base of its file.
func NewCommandReader(r io.Reader, base int64) *CommandReader {
	return &CommandReader{r: bufio.NewReaderSize(r, 256<<10), off: base, ValidUpTo: base}
}

// Offset returns the offset after the last command read.
func (cr *CommandReader) Offset() int64 { return cr.off }

// Next returns the next command. argv is valid until the next call. It
// returns io.EOF at a clean end, an error wrapping ErrTruncated when the
// input ends inside a command or a MULTI block, ErrFormat otherwise.
func (cr *CommandReader) Next() ([][]byte, error) {
	for {
		c, err := cr.r.ReadByte()
		if err == io.EOF {
			if cr.inMulti {
				return nil, fmt.Errorf("%w: the last MULTI has no EXEC", ErrTruncated)
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		if c == '#' { // annotation, e.g. a timestamp
			line, err := cr.readLine()
			if err != nil {
				return nil, err
			}
			cr.off += int64(1 + len(line) + 2)
			cr.line++
			if !cr.inMulti {
				cr.ValidUpTo, cr.ValidUpToLine = cr.off, cr.line
			}
			continue
		}
		if c != '*' {
			return nil, fmt.Errorf("%w at offset %d: expected '*', got %q", ErrFormat, cr.off, c)
		}
		return cr.command()
	}
}

func (cr *CommandReader) readLine() ([]byte, error) {
	line, err := cr.r.ReadSlice('\n')
	if err == io.EOF || err == nil && (len(line) < 2 || line[len(line)-2] != '\r') {
		if err == io.EOF {
			return nil, fmt.Errorf("%w at offset %d", ErrTruncated, cr.off)
		}
		return nil, fmt.Errorf("%w at offset %d: line without CR LF", ErrFormat, cr.off)
	}
	if err == bufio.ErrBufferFull {
		return nil, fmt.Errorf("%w at offset %d: line too long", ErrFormat, cr.off)
	}
	if err != nil {
		return nil, err
	}
	return line[:len(line)-2], nil
}

func (cr *CommandReader) number(prefix string) (int64, int, error) {
	line, err := cr.readLine()
	if err != nil {
		return 0, 0, err
	}
	n, perr := strconv.ParseInt(string(line), 10, 64)
	if perr != nil {
		return 0, 0, fmt.Errorf("%w at offset %d: bad %s count %q", ErrFormat, cr.off, prefix, line)
	}
	return n, len(line) + 2, nil
}

func (cr *CommandReader) command() ([][]byte, error) {
	argc, size, err := cr.number("argument")
	if err != nil {
		return nil, err
	}
	if argc < 1 || argc > 1<<20 {
		return nil, fmt.Errorf("%w at offset %d: bad argument count %d", ErrFormat, cr.off, argc)
	}
	consumed := int64(1 + size)
	lines := int64(1)
	cr.argv = cr.argv[:0]
	cr.arg = cr.arg[:0]
	// ends grows with the arguments actually read: a corrupt count
	// reserves nothing.
	cr.ends = cr.ends[:0]
	for i := int64(0); i < argc; i++ {
		c, err := cr.r.ReadByte()
		if err == io.EOF {
			return nil, fmt.Errorf("%w at offset %d", ErrTruncated, cr.off)
		}
		if err != nil {
			return nil, err
		}
		if c != '$' {
			return nil, fmt.Errorf("%w at offset %d: expected '$', got %q", ErrFormat, cr.off, c)
		}
		n, size, err := cr.number("bulk")
		if err != nil {
			return nil, err
		}
		if n < 0 || n > 1<<32 {
			return nil, fmt.Errorf("%w at offset %d: bad bulk length %d", ErrFormat, cr.off, n)
		}
		start := len(cr.arg)
		// Grow by what the reader actually has, so a corrupt length
		// cannot make a huge allocation.
		for int64(len(cr.arg)-start) < n {
			chunk := min(n-int64(len(cr.arg)-start), 1<<20)
			cur := len(cr.arg)
			cr.arg = append(cr.arg, make([]byte, chunk)...)
			if _, err := io.ReadFull(cr.r, cr.arg[cur:]); err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return nil, fmt.Errorf("%w at offset %d", ErrTruncated, cr.off)
				}
				return nil, err
			}
		}
		var crlf [2]byte
		if _, err := io.ReadFull(cr.r, crlf[:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("%w at offset %d", ErrTruncated, cr.off)
			}
			return nil, err
		}
		if crlf != [2]byte{'\r', '\n'} {
			return nil, fmt.Errorf("%w at offset %d: bulk not followed by CR LF", ErrFormat, cr.off)
		}
		cr.ends = append(cr.ends, len(cr.arg))
		consumed += int64(1+size) + n + 2
		lines += 2
	}
	start := 0
	for _, e := range cr.ends {
		cr.argv = append(cr.argv, cr.arg[start:e:e])
		start = e
	}
	cr.off += consumed
	cr.line += lines
	switch {
	case len(cr.argv) == 1 && bytes.EqualFold(cr.argv[0], []byte("multi")):
		cr.inMulti = true
	case len(cr.argv) == 1 && bytes.EqualFold(cr.argv[0], []byte("exec")):
		cr.inMulti = false
	}
	if !cr.inMulti {
		cr.ValidUpTo, cr.ValidUpToLine = cr.off, cr.line
	}
	return cr.argv, nil
}
