package resp

import (
	"bytes"
	"math"
)

// Limits Redis applies to requests, independent of configuration.
const (
	// InlineMax bounds an inline request, and the length line of a multibulk
	// request or a bulk argument, before its terminator is seen.
	InlineMax = 64 * 1024
	// MaxMultibulkLen is the largest accepted argument count.
	MaxMultibulkLen = math.MaxInt32
	// UnauthMaxArgs and UnauthMaxBulkLen bound the requests of a client
	// that has not authenticated (Parser.Unauthenticated).
	UnauthMaxArgs    = 10
	UnauthMaxBulkLen = 16384
)

// ProtocolError is a malformed request. Msg is the text Redis replies with
// after "ERR "; the connection must be closed after the reply.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

var (
	errInvalidMultibulk = &ProtocolError{"Protocol error: invalid multibulk length"}
	errInvalidBulk      = &ProtocolError{"Protocol error: invalid bulk length"}
	errBigMbulkCount    = &ProtocolError{"Protocol error: too big mbulk count string"}
	errBigBulkCount     = &ProtocolError{"Protocol error: too big bulk count string"}
	errBigInline        = &ProtocolError{"Protocol error: too big inline request"}
	errUnbalancedQuotes = &ProtocolError{"Protocol error: unbalanced quotes in request"}
	errUnauthMultibulk  = &ProtocolError{"Protocol error: unauthenticated multibulk length"}
	errUnauthBulk       = &ProtocolError{"Protocol error: unauthenticated bulk length"}
)

// Parser parses client requests (RESP multibulk arrays of bulk strings, or
// inline commands) out of a growing buffer. It is resumable: when a request
// is incomplete, Next returns n == 0 and remembers how far it got, so a huge
// request arriving in many reads is scanned once. The caller must then keep
// the buffer's unconsumed prefix in place and append to it.
type Parser struct {
	// MaxBulkLen is proto-max-bulk-len; 0 means no limit.
	MaxBulkLen int64
	// Unauthenticated applies Redis's limits for clients that must still
	// authenticate: at most UnauthMaxArgs arguments of UnauthMaxBulkLen
	// bytes each, so they cannot make the server buffer much.
	Unauthenticated bool

	inCmd   bool
	want    int    // arguments still to read (multibulk)
	bulkLen int64  // length of the bulk being read, -1 when reading its header
	pos     int    // where parsing stopped, relative to the command start
	spans   []span // arguments parsed so far
}

type span struct{ start, end int }

// Reset drops any partly parsed request.
func (p *Parser) Reset() {
	p.inCmd = false
	p.spans = p.spans[:0]
}

// Pending reports whether a partly parsed request is held.
func (p *Parser) Pending() bool { return p.inCmd }

// BulkRemaining returns how many more bytes are needed to complete the bulk
// argument being read, or 0 when no large bulk is pending. Callers use it to
// size their buffer for big arguments.
func (p *Parser) BulkRemaining(buffered int) int {
	if !p.inCmd || p.bulkLen < 0 {
		return 0
	}
	return int(p.bulkLen) + 2 - (buffered - p.pos)
}

// Next parses the request at the start of buf. It returns the arguments
// (appended to argv[:0]; they alias buf), and n, the bytes consumed. n == 0
// with a nil error means more input is needed. A request with no arguments
// (an empty line, *0) returns n > 0 and no arguments. err is a
// *ProtocolError; the parser is then reset.
func (p *Parser) Next(buf []byte, argv [][]byte) (args [][]byte, n int, err error) {
	if !p.inCmd {
		if len(buf) == 0 {
			return argv[:0], 0, nil
		}
		if buf[0] != '*' {
			return p.inline(buf, argv)
		}
		p.inCmd = true
		p.pos = 0
		p.want = -1
		p.bulkLen = -1
		p.spans = p.spans[:0]
	}
	args, n, err = p.multibulk(buf, argv)
	if err != nil || n > 0 {
		p.inCmd = false
	}
	return args, n, err
}

// shortNumber parses a length line "N\r" of at most 18 digits at the start
// of b, the common case, without the general path's search; ok is false
// whenever the general path must decide (other bytes, a sign, more digits,
// the line incomplete).
func shortNumber(b []byte) (n int64, cr int, ok bool) {
	for i := 0; i < len(b) && i < 19; i++ {
		c := b[i]
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
			continue
		}
		if c == '\r' && i > 0 && i+1 < len(b) && (b[0] != '0' || i == 1) {
			return n, i, true
		}
		return 0, 0, false
	}
	return 0, 0, false
}

func (p *Parser) multibulk(buf []byte, argv [][]byte) ([][]byte, int, error) {
	if p.want < 0 {
		if n, cr, ok := shortNumber(buf[1:]); ok && n > 0 && n <= MaxMultibulkLen && (!p.Unauthenticated || n <= UnauthMaxArgs) {
			p.pos = cr + 3
			p.want = int(n)
		}
	}
	if p.want < 0 {
		cr := bytes.IndexByte(buf, '\r')
		if cr < 0 {
			if len(buf) > InlineMax {
				return nil, 0, errBigMbulkCount
			}
			return nil, 0, nil
		}
		if cr+1 >= len(buf) {
			return nil, 0, nil
		}
		ll, ok := ParseInt(buf[1:cr])
		if !ok || ll > MaxMultibulkLen {
			return nil, 0, errInvalidMultibulk
		}
		if p.Unauthenticated && ll > UnauthMaxArgs {
			return nil, 0, errUnauthMultibulk
		}
		p.pos = cr + 2
		if ll <= 0 {
			return argv[:0], p.pos, nil
		}
		p.want = int(ll)
	}
	for p.want > 0 {
		if p.bulkLen < 0 && p.pos+1 < len(buf) && buf[p.pos] == '$' {
			if n, cr, ok := shortNumber(buf[p.pos+1:]); ok && (p.MaxBulkLen <= 0 || n <= p.MaxBulkLen) && (!p.Unauthenticated || n <= UnauthMaxBulkLen) {
				p.bulkLen = n
				p.pos += cr + 3
			}
		}
		if p.bulkLen < 0 {
			rest := buf[p.pos:]
			cr := bytes.IndexByte(rest, '\r')
			if cr < 0 {
				if len(rest) > InlineMax {
					return nil, 0, errBigBulkCount
				}
				return nil, 0, nil
			}
			if cr+1 >= len(rest) {
				return nil, 0, nil
			}
			if rest[0] != '$' {
				return nil, 0, &ProtocolError{"Protocol error: expected '$', got '" + string(rest[0]) + "'"}
			}
			ll, ok := ParseInt(rest[1:cr])
			if !ok || ll < 0 || (p.MaxBulkLen > 0 && ll > p.MaxBulkLen) {
				return nil, 0, errInvalidBulk
			}
			if p.Unauthenticated && ll > UnauthMaxBulkLen {
				return nil, 0, errUnauthBulk
			}
			p.bulkLen = ll
			p.pos += cr + 2
		}
		if int64(len(buf)-p.pos) < p.bulkLen+2 {
			return nil, 0, nil
		}
		end := p.pos + int(p.bulkLen)
		p.spans = append(p.spans, span{p.pos, end})
		// Like Redis, the two bytes after the data are skipped unchecked.
		p.pos = end + 2
		p.bulkLen = -1
		p.want--
	}
	argv = argv[:0]
	for _, s := range p.spans {
		argv = append(argv, buf[s.start:s.end:s.end])
	}
	return argv, p.pos, nil
}

func (p *Parser) inline(buf []byte, argv [][]byte) ([][]byte, int, error) {
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		if len(buf) > InlineMax {
			return nil, 0, errBigInline
		}
		return nil, 0, nil
	}
	line := buf[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := SplitArgs(line, argv[:0])
	if !ok {
		return nil, 0, errUnbalancedQuotes
	}
	return args, nl + 1, nil
}

// SplitArgs splits an inline command line into arguments with the quoting
// rules of redis-cli and redis.conf: "double quotes" with \n \r \t \b \a
// \\ \" and \xHH escapes, 'single quotes' with \' only. A closing quote must
// be followed by a space or the end. It reports false on unbalanced quotes.
// Unquoted arguments alias line.
func SplitArgs(line []byte, dst [][]byte) ([][]byte, bool) {
	// Redis splits a C string: a NUL byte ends the line.
	if z := bytes.IndexByte(line, 0); z >= 0 {
		line = line[:z]
	}
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return dst, true
		}
		var arg []byte
		var ok bool
		arg, i, ok = nextArg(line, i)
		if !ok {
			return dst, false
		}
		dst = append(dst, arg)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

// endsArg reports the bytes that end an unquoted argument (a narrower set
// than isSpace, as in Redis's sdssplitargs).
func endsArg(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func nextArg(line []byte, i int) ([]byte, int, bool) {
	start := i
	for i < len(line) && !endsArg(line[i]) && line[i] != '"' && line[i] != '\'' {
		i++
	}
	if i == len(line) || endsArg(line[i]) {
		return line[start:i:i], i, true
	}
	// Quoted section: build a fresh argument.
	cur := append([]byte(nil), line[start:i]...)
	for i < len(line) && !endsArg(line[i]) {
		switch line[i] {
		case '"':
			var ok bool
			cur, i, ok = doubleQuoted(line, i+1, cur)
			if !ok {
				return nil, 0, false
			}
		case '\'':
			var ok bool
			cur, i, ok = singleQuoted(line, i+1, cur)
			if !ok {
				return nil, 0, false
			}
		default:
			cur = append(cur, line[i])
			i++
		}
	}
	return cur, i, true
}

// doubleQuoted reads from just after an opening " and returns the index
// after the closing one, which must be followed by a space or the end.
func doubleQuoted(line []byte, i int, cur []byte) ([]byte, int, bool) {
	for i < len(line) {
		c := line[i]
		switch {
		case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
			cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
			i += 4
		case c == '\\' && i+1 < len(line):
			i++
			switch line[i] {
			case 'n':
				cur = append(cur, '\n')
			case 'r':
				cur = append(cur, '\r')
			case 't':
				cur = append(cur, '\t')
			case 'b':
				cur = append(cur, '\b')
			case 'a':
				cur = append(cur, '\a')
			default:
				cur = append(cur, line[i])
			}
			i++
		case c == '"':
			return closeQuote(line, i, cur)
		default:
			cur = append(cur, c)
			i++
		}
	}
	return nil, 0, false
}

// singleQuoted is doubleQuoted for ', where only \' is an escape.
func singleQuoted(line []byte, i int, cur []byte) ([]byte, int, bool) {
	for i < len(line) {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
			cur = append(cur, '\'')
			i += 2
		case c == '\'':
			return closeQuote(line, i, cur)
		default:
			cur = append(cur, c)
			i++
		}
	}
	return nil, 0, false
}

// closeQuote ends a quoted section at its closing quote line[i], which must
// be followed by a space or the end of the line.
func closeQuote(line []byte, i int, cur []byte) ([]byte, int, bool) {
	i++
	if i < len(line) && !isSpace(line[i]) {
		return nil, 0, false
	}
	return cur, i, true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// ParseInt parses a decimal int64 the strict way Redis does (string2ll): an
// optional '-', no '+', no leading zeros, no spaces, no overflow.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
