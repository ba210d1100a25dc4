package parse

import (
	"errors"
	"strconv"
)

// Numerals as Lua 5.1 reads them (redisctl patch): the lexer takes what
// read_numeral takes, and the text converts as luaO_str2d converts it,
// through C's strtod.

func isLuaSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// Str2Number converts a string to a number the way Lua 5.1's luaO_str2d
// does: what C's strtod takes (leading spaces, decimal or hexadecimal
// forms, inf and nan), then only trailing spaces.
func Str2Number(s string) (float64, bool) {
	for len(s) > 0 && isLuaSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	for len(s) > 0 && isLuaSpace(s[0]) {
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if len(body) >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		v, ok := hexNumber(body[2:])
		if neg {
			v = -v
		}
		return v, ok
	}
	for i := 0; i < len(body); i++ {
		if body[i] == '_' {
			return 0, false
		}
	}
	return parseFloat(s)
}

// hexNumber reads what follows "0x" as strtod does: hexadecimal digits
// with at most one point, then an optional binary exponent (p, a sign,
// decimal digits).
func hexNumber(s string) (float64, bool) {
	mant, exp := s, "0"
	for i := 0; i < len(s); i++ {
		if s[i] == 'p' || s[i] == 'P' {
			mant, exp = s[:i], s[i+1:]
			break
		}
	}
	digits, points := 0, 0
	for i := 0; i < len(mant); i++ {
		switch c := mant[i]; {
		case c == '.':
			points++
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			digits++
		default:
			return 0, false
		}
	}
	e := exp
	if e != "" && (e[0] == '+' || e[0] == '-') {
		e = e[1:]
	}
	if digits == 0 || points > 1 || e == "" {
		return 0, false
	}
	for i := 0; i < len(e); i++ {
		if e[i] < '0' || e[i] > '9' {
			return 0, false
		}
	}
	return parseFloat("0x" + mant + "p" + exp)
}

// parseFloat is strconv.ParseFloat taking overflows to infinities as
// strtod does.
func parseFloat(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return v, true
}
