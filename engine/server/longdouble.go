package server

import (
	"math/big"
	"strings"
)

// Redis does INCRBYFLOAT and HINCRBYFLOAT in C long double (x87 80-bit
// extended precision: 64-bit mantissa) and prints the result with
// "%.17Lf" minus trailing zeros. Emulating that precision with big.Float is
// what makes the engine's results identical to Redis's, digit for digit
// (with float64, 10.5 + 0.1 would print as 10.59999999999999964).

const (
	ldPrec   = 64     // mantissa bits of an x87 long double
	ldMaxExp = 16384  // values at or beyond 2^16384 overflow
	ldMinExp = -16445 // values below the smallest subnormal underflow
)

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are
// rejected before parsing.
const maxLongDoubleChars = 5 * 1024

// parseLongDouble parses s the way Redis's string2ld does (strtold with no
// leading space, nothing trailing, no NaN, no overflow or underflow).
func parseLongDouble(s []byte) (*big.Float, bool) {
	if len(s) == 0 || len(s) >= maxLongDoubleChars || isSpaceByte(s[0]) {
		return nil, false
	}
	str := string(s)
	body := strings.TrimLeft(str, "+-")
	if len(str)-len(body) > 1 {
		return nil, false
	}
	neg := strings.HasPrefix(str, "-")
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return new(big.Float).SetInf(neg), true
	case "nan", "nan()":
		return nil, false
	}
	base := 10
	lb := strings.ToLower(body)
	if strings.HasPrefix(lb, "0x") {
		base = 0
	} else if strings.ContainsAny(body, "_") || strings.HasPrefix(lb, "0b") || strings.HasPrefix(lb, "0o") {
		return nil, false
	}
	f, _, err := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Parse(str, base)
	if err != nil {
		return nil, false
	}
	if f.IsInf() {
		return nil, false
	}
	if f.Sign() != 0 {
		exp := f.MantExp(nil)
		if exp > ldMaxExp || exp < ldMinExp {
			return nil, false
		}
	}
	return f, true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// addLongDouble returns a+b rounded to long double precision, and false
// when the result is not finite.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	r := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(a, b)
	if r.Sign() != 0 && r.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return r, true
}

// formatLongDouble prints f like Redis's ld2string in human mode.
func formatLongDouble(f *big.Float) string {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
