package server

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// parseStrtod parses a double the way Redis's getDoubleFromObject does
// (strtod over the whole string): no leading space, hex floats with or
// without an exponent, infinities, no NaN, and no overflow or underflow to
// zero (ERANGE).
func parseStrtod(b []byte) (float64, bool) {
	if len(b) == 0 || isSpaceByte(b[0]) || bytes.IndexByte(b, '_') >= 0 {
		return 0, false
	}
	s := string(b)
	if isHexFloat(s) && !strings.ContainsAny(s, "pP") {
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 && hasNonZeroMantissa(s) {
		return 0, false
	}
	return f, true
}

func isHexFloat(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

// hasNonZeroMantissa reports whether the digits before the exponent of a
// number literal include a non-zero one.
func hasNonZeroMantissa(s string) bool {
	hex := isHexFloat(s)
	if hex {
		s = s[strings.IndexAny(s, "xX")+1:]
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case !hex && (ch == 'e' || ch == 'E'), hex && (ch == 'p' || ch == 'P'):
			return false
		case ch >= '1' && ch <= '9', hex && (ch|0x20) >= 'a' && (ch|0x20) <= 'f':
			return true
		}
	}
	return false
}

// parseStrtodLax parses a range bound the way Redis's zslParseRange does:
// plain strtod, which skips leading spaces, reads "" as 0 and saturates
// overflow to infinity; only trailing garbage and NaN are errors.
func parseStrtodLax(b []byte) (float64, bool) {
	i := 0
	for i < len(b) && isSpaceByte(b[i]) {
		i++
	}
	b = b[i:]
	if len(b) == 0 {
		return 0, true
	}
	if bytes.IndexByte(b, '_') >= 0 {
		return 0, false
	}
	s := string(b)
	if isHexFloat(s) && !strings.ContainsAny(s, "pP") {
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
