// Package resp implements the Redis serialization protocol (RESP2 and RESP3):
// allocation-free Append* writers for replies, a resumable request parser for
// the server side and a reply reader for the client side (replication, tests).
package resp

import (
	"math"
	"strconv"
)

// Protocol versions a connection can speak (HELLO 2 / HELLO 3).
const (
	RESP2 = 2
	RESP3 = 3
)

var crlf = []byte("\r\n")

// AppendSimple appends a simple string: +s\r\n. s must not contain CR or LF.
func AppendSimple(dst []byte, s string) []byte {
	dst = append(dst, '+')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendError appends an error reply: -s\r\n. CR and LF in s are replaced by
// spaces, as Redis does, so a message can never break the framing.
func AppendError(dst []byte, s string) []byte {
	dst = append(dst, '-')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\r' || ch == '\n' {
			ch = ' '
		}
		dst = append(dst, ch)
	}
	return append(dst, '\r', '\n')
}

// AppendInt appends an integer reply: :n\r\n.
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

func appendPrefixLen(dst []byte, prefix byte, n int64) []byte {
	if n >= 0 && n < 10 {
		return append(dst, prefix, byte('0'+n), '\r', '\n')
	}
	dst = append(dst, prefix)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendBulk appends a bulk string: $len\r\nb\r\n.
func AppendBulk(dst []byte, b []byte) []byte {
	dst = appendPrefixLen(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString is AppendBulk for a string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendPrefixLen(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends n formatted in decimal as a bulk string.
func AppendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendInt(tmp[:0], n, 10))
}

// AppendArrayLen appends an array header: *n\r\n.
func AppendArrayLen(dst []byte, n int) []byte { return appendPrefixLen(dst, '*', int64(n)) }

// AppendNullBulk appends RESP2's null bulk string: $-1\r\n.
func AppendNullBulk(dst []byte) []byte { return append(dst, "$-1\r\n"...) }

// AppendNullArray appends RESP2's null array: *-1\r\n.
func AppendNullArray(dst []byte) []byte { return append(dst, "*-1\r\n"...) }

// AppendNull appends RESP3's null: _\r\n.
func AppendNull(dst []byte) []byte { return append(dst, "_\r\n"...) }

// AppendMapLen appends a RESP3 map header: %n\r\n (n key/value pairs).
func AppendMapLen(dst []byte, n int) []byte { return appendPrefixLen(dst, '%', int64(n)) }

// AppendSetLen appends a RESP3 set header: ~n\r\n.
func AppendSetLen(dst []byte, n int) []byte { return appendPrefixLen(dst, '~', int64(n)) }

// AppendPushLen appends a RESP3 push header: >n\r\n.
func AppendPushLen(dst []byte, n int) []byte { return appendPrefixLen(dst, '>', int64(n)) }

// AppendAttributeLen appends a RESP3 attribute header: |n\r\n.
func AppendAttributeLen(dst []byte, n int) []byte { return appendPrefixLen(dst, '|', int64(n)) }

// AppendBool appends a RESP3 boolean: #t\r\n or #f\r\n.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "#t\r\n"...)
	}
	return append(dst, "#f\r\n"...)
}

// AppendDouble appends a RESP3 double: ,x\r\n, formatted as Redis does
// (%.17g, inf, -inf, nan).
func AppendDouble(dst []byte, f float64) []byte {
	dst = append(dst, ',')
	dst = AppendFloat(dst, f)
	return append(dst, '\r', '\n')
}

// AppendFloat appends f formatted like C's "%.17g" with Redis's spelling of
// the infinities; it is the text RESP2 carries in a bulk string for a double.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		// glibc prints the sign of a NaN ("-nan" for Lua's 0/0).
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	case f == math.Trunc(f) && math.Abs(f) < 1e17 && (f != 0 || !math.Signbit(f)):
		// Integral values print as their digits under %.17g: formatting
		// them as integers is several times faster (sorted set scores).
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// AppendBigNumber appends a RESP3 big number: (digits\r\n.
func AppendBigNumber(dst []byte, digits string) []byte {
	dst = append(dst, '(')
	dst = append(dst, digits...)
	return append(dst, '\r', '\n')
}

// AppendVerbatim appends a RESP3 verbatim string with a three-letter format
// such as "txt": =len\r\nfmt:text\r\n.
func AppendVerbatim(dst []byte, format string, text []byte) []byte {
	dst = appendPrefixLen(dst, '=', int64(len(text)+4))
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, text...)
	return append(dst, '\r', '\n')
}

// AppendCommand appends argv as a RESP array of bulk strings, the form a
// client sends (used for propagation to AOF and replicas, and by tests).
func AppendCommand(dst []byte, argv ...[]byte) []byte {
	dst = AppendArrayLen(dst, len(argv))
	for _, a := range argv {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// AppendCommandStrings is AppendCommand for string arguments.
func AppendCommandStrings(dst []byte, argv ...string) []byte {
	dst = AppendArrayLen(dst, len(argv))
	for _, a := range argv {
		dst = AppendBulkString(dst, a)
	}
	return dst
}
