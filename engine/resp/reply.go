package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrMalformed is returned by ReadReply for bytes that are not RESP.
var ErrMalformed = errors.New("resp: malformed reply")

// ReadReply reads one complete reply (RESP2 or RESP3, aggregates included)
// from r and returns its exact bytes appended to dst. Replication links and
// tests use it to frame replies without interpreting them.
func ReadReply(r *bufio.Reader, dst []byte) ([]byte, error) {
	return readReply(r, dst, 0)
}

func readReply(r *bufio.Reader, dst []byte, depth int) ([]byte, error) {
	if depth > 64 {
		return dst, fmt.Errorf("%w: nesting too deep", ErrMalformed)
	}
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return dst, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return dst, fmt.Errorf("%w: %q", ErrMalformed, line)
	}
	dst = append(dst, line...)
	// line points into r's buffer, which the nested reads below refill:
	// keep what is needed of it before reading on.
	kind := line[0]
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return dst, nil
	case '$', '=', '!':
		n, ok := ParseInt(body)
		if !ok || n < -1 {
			return dst, fmt.Errorf("%w: bad length %q", ErrMalformed, body)
		}
		if n < 0 {
			return dst, nil
		}
		start := len(dst)
		dst = append(dst, make([]byte, n+2)...)
		if _, err := io.ReadFull(r, dst[start:]); err != nil {
			return dst, err
		}
		return dst, nil
	case '*', '%', '~', '>', '|':
		n, ok := ParseInt(body)
		if !ok || n < -1 {
			return dst, fmt.Errorf("%w: bad length %q", ErrMalformed, body)
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := int64(0); i < n; i++ {
			if dst, err = readReply(r, dst, depth+1); err != nil {
				return dst, err
			}
		}
		if kind == '|' {
			// An attribute precedes the reply it describes.
			return readReply(r, dst, depth+1)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: unknown type %q", ErrMalformed, line[0])
}
