package lua

import (
	"fmt"
	"strconv"
	"strings"
)

// luaStrFormat is Lua 5.1's string.format (lstrlib.c's str_format), on
// top of Go's fmt for the conversions whose output matches C's printf
// (redisctl patch).
func luaStrFormat(L *LState) int {
	format := L.CheckString(1)
	arg := 1
	top := L.GetTop()
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// flags, width, precision
		start := i
		for i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0 {
			i++
		}
		if i-start > 5 {
			L.RaiseError("invalid format (repeated flags)")
		}
		flags := format[start:i]
		w := i
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
		if i-w > 2 {
			L.RaiseError("invalid format (width or precision too long)")
		}
		width := format[w:i]
		prec, hasPrec := "", false
		if i < len(format) && format[i] == '.' {
			i++
			p := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			if i-p > 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
			prec, hasPrec = format[p:i], true
		}
		if i >= len(format) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		conv := format[i]
		arg++
		if arg > top && conv != '%' {
			L.ArgError(arg, "no value")
		}
		spec := "%" + flags + width
		if hasPrec {
			spec += "." + prec
		}
		switch conv {
		case 'c':
			ch := byte(L.CheckInt(arg))
			b.WriteString(padBytes(string([]byte{ch}), flags, width))
		case 'd', 'i':
			n := int64(L.CheckNumber(arg))
			b.WriteString(fmt.Sprintf(spec+"d", n))
		case 'o':
			b.WriteString(fmt.Sprintf(spec+"o", uint64(int64(L.CheckNumber(arg)))))
		case 'u':
			b.WriteString(fmt.Sprintf(spec+"d", uint64(int64(L.CheckNumber(arg)))))
		case 'x', 'X':
			b.WriteString(fmt.Sprintf(spec+string(conv), uint64(int64(L.CheckNumber(arg)))))
		case 'e', 'E', 'f', 'g', 'G':
			if !hasPrec {
				spec += ".6"
			}
			f := float64(L.CheckNumber(arg))
			out := fmt.Sprintf(spec+string(conv), f)
			out = strings.NewReplacer("+Inf", "inf", "-Inf", "-inf", "NaN", "nan").Replace(out)
			b.WriteString(out)
		case 'q':
			b.WriteString(luaQuote(L.CheckString(arg)))
		case 's':
			str := LVAsString(L.CheckAny(arg))
			if !LVCanConvToString(L.Get(arg)) {
				str = L.CheckString(arg)
			}
			if hasPrec {
				if n, _ := strconv.Atoi(prec); n < len(str) {
					str = str[:n]
				}
			} else if len(str) >= 100 {
				b.WriteString(str)
				continue
			}
			b.WriteString(padBytes(str, flags, width))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
	}
	L.Push(LString(b.String()))
	return 1
}

// padBytes pads s (measured in bytes, as C does) to width.
func padBytes(s, flags, width string) string {
	w, _ := strconv.Atoi(width)
	if len(s) >= w {
		return s
	}
	pad := strings.Repeat(" ", w-len(s))
	if strings.Contains(flags, "-") {
		return s + pad
	}
	return pad + s
}

// luaQuote is %q: a double-quoted string with ", \, newline, \r and \0
// escaped as Lua reads them back.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString("\\r")
		case 0:
			b.WriteString("\\000")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
