package server

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Number parsing and formatting with C's semantics where Redis relies on
// them: strtod for scores and timeouts, and x87 80-bit long doubles for
// HINCRBYFLOAT (Redis computes in long double and prints "%.17Lf", so
// 0.1 + 0.2 is "0.3", not "0.30000000000000004").

// parseDouble parses a double the way Redis's getDoubleFromObject does:
// strtod over the whole string, no leading space, no NaN, and no overflow
// or underflow to zero.
func parseDouble(b []byte) (float64, bool) {
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
		return 0, false // underflow: strtod reports ERANGE
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
		i := strings.IndexAny(s, "xX")
		s = s[i+1:]
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

// longDouble emulates C's long double on x86-64: a 64-bit mantissa.
const ldPrec = 64

var (
	ldMax = new(big.Float).SetPrec(ldPrec).SetMantExp(
		new(big.Float).SetPrec(ldPrec).SetUint64(math.MaxUint64), 16384-64)
	ldMinDenorm = new(big.Float).SetPrec(ldPrec).SetMantExp(big.NewFloat(1), -16445)
)

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer strings are
// not long doubles.
const maxLongDoubleChars = 5 * 1024

// parseLongDouble parses like Redis's string2ld (strtold): no leading
// space, the whole string, no NaN, no overflow or underflow to zero.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isSpaceByte(b[0]) || bytes.IndexByte(b, '_') >= 0 {
		return nil, false
	}
	s := string(b)
	low := strings.ToLower(strings.TrimLeft(s, "+-"))
	if low == "nan" || strings.HasPrefix(low, "nan(") {
		return nil, false
	}
	neg := strings.HasPrefix(s, "-")
	if low == "inf" || low == "infinity" {
		return new(big.Float).SetInf(neg), true
	}
	if isHexFloat(s) && !strings.ContainsAny(s, "pP") {
		s += "p0"
	}
	f, _, err := big.ParseFloat(s, 0, ldPrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if f.IsInf() {
		return f, true
	}
	abs := new(big.Float).Abs(f)
	if abs.Cmp(ldMax) > 0 {
		return nil, false // overflow: ERANGE with HUGE_VALL
	}
	if f.Sign() != 0 && abs.Cmp(ldMinDenorm) < 0 && abs.Cmp(new(big.Float).Quo(ldMinDenorm, big.NewFloat(2))) <= 0 {
		return nil, false // underflow to zero
	}
	if f.Sign() == 0 && hasNonZeroMantissa(s) {
		return nil, false
	}
	return f, true
}

// ldAdd adds two long doubles, rounding as the FPU does; ok is false when
// the result overflows to infinity or is NaN (inf + -inf).
func ldAdd(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	r := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(a, b)
	if new(big.Float).Abs(r).Cmp(ldMax) > 0 {
		return nil, false
	}
	return r, true
}

// formatLongDoubleHuman formats like Redis's ld2string(LD_STR_HUMAN):
// "%.17Lf" with trailing zeros (and a trailing dot) removed, "-0" as "0".
func formatLongDoubleHuman(f *big.Float) string {
	if f.IsInf() {
		if f.Signbit() {
			return "-inf"
		}
		return "inf"
	}
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

// ldFromInt converts an integer to a long double (exact).
func ldFromInt(v int64) *big.Float { return new(big.Float).SetPrec(ldPrec).SetInt64(v) }
