package lualib

import (
	"math"
	"strconv"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// Null is cjson.null (a NULL light userdata in C): what JSON null decodes
// to, and what encodes to null.
type nullValue struct{}

// IsNull reports whether v is cjson.null.
func IsNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(nullValue)
	return ok
}

type cjsonConfig struct {
	sparseConvert     bool
	sparseRatio       int
	sparseSafe        int
	encodeMaxDepth    int
	decodeMaxDepth    int
	precision         int
	invalidEncode     int // 0 off, 1 on, 2 null
	invalidDecode     bool
	keepBuffer        bool
	null              *lua.LUserData
	emptyTableIsArray bool
}

// OpenCJSON returns the cjson module (lua-cjson 2.1.0 as Redis ships it).
func OpenCJSON(L *lua.LState) *lua.LTable {
	null := L.NewUserData()
	null.Value = nullValue{}
	return newCJSON(L, null)
}

// newCJSON is lua_cjson_new: a cjson module with its own configuration
// (cjson.new), sharing null.
func newCJSON(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := &cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		precision: 14, invalidDecode: true, keepBuffer: true, null: null}
	t := newModule(L, 0, []libFunc{
		{"encode", cfg.encode},
		{"decode", cfg.decode},
		{"encode_sparse_array", func(L *lua.LState) int {
			if L.GetTop() > 3 {
				argError(L, 4, "found too many arguments")
			}
			if L.GetTop() >= 1 {
				cfg.sparseConvert = cjsonBool(L, 1)
			}
			if L.GetTop() >= 2 {
				cfg.sparseRatio = cjsonInt(L, 2, 0, math.MaxInt32)
			}
			if L.GetTop() >= 3 {
				cfg.sparseSafe = cjsonInt(L, 3, 0, math.MaxInt32)
			}
			L.Push(lua.LBool(cfg.sparseConvert))
			L.Push(lua.LNumber(cfg.sparseRatio))
			L.Push(lua.LNumber(cfg.sparseSafe))
			return 3
		}},
		{"encode_max_depth", func(L *lua.LState) int {
			return cjsonIntOption(L, &cfg.encodeMaxDepth, 1, math.MaxInt32)
		}},
		{"decode_max_depth", func(L *lua.LState) int {
			return cjsonIntOption(L, &cfg.decodeMaxDepth, 1, math.MaxInt32)
		}},
		{"encode_number_precision", func(L *lua.LState) int {
			return cjsonIntOption(L, &cfg.precision, 1, 14)
		}},
		{"encode_keep_buffer", func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				cfg.keepBuffer = cjsonBool(L, 1)
			}
			L.Push(lua.LBool(cfg.keepBuffer))
			return 1
		}},
		{"encode_invalid_numbers", func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				if s, ok := L.Get(1).(lua.LString); ok && s == "null" {
					cfg.invalidEncode = 2
				} else if cjsonBool(L, 1) {
					cfg.invalidEncode = 1
				} else {
					cfg.invalidEncode = 0
				}
			}
			switch cfg.invalidEncode {
			case 2:
				L.Push(lua.LString("null"))
			default:
				L.Push(lua.LBool(cfg.invalidEncode == 1))
			}
			return 1
		}},
		{"decode_invalid_numbers", func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				cfg.invalidDecode = cjsonBool(L, 1)
			}
			L.Push(lua.LBool(cfg.invalidDecode))
			return 1
		}},
		{"new", func(L *lua.LState) int {
			L.Push(newCJSON(L, null))
			return 1
		}},
	})
	t.RawSetString("null", cfg.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cjsonBool(L *lua.LState, i int) bool {
	switch v := L.Get(i).(type) {
	case lua.LBool:
		return bool(v)
	case lua.LString:
		switch v {
		case "on":
			return true
		case "off":
			return false
		}
	}
	argError(L, i, "invalid option '"+L.Get(i).String()+"'")
	return false
}

func cjsonInt(L *lua.LState, i, lo, hi int) int {
	n := L.CheckInt(i)
	if n < lo || n > hi {
		argError(L, i, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return n
}

func cjsonIntOption(L *lua.LState, v *int, lo, hi int) int {
	if L.GetTop() > 1 {
		argError(L, 2, "found too many arguments")
	}
	if L.GetTop() == 1 {
		*v = cjsonInt(L, 1, lo, hi)
	}
	L.Push(lua.LNumber(*v))
	return 1
}

// Encoding.

type cjsonEncoder struct {
	L   *lua.LState
	cfg *cjsonConfig
	buf []byte
}

func (c *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "expected 1 argument")
	}
	e := &cjsonEncoder{L: L, cfg: c}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.buf))
	return 1
}

func (e *cjsonEncoder) fail(v lua.LValue, reason string) {
	e.L.RaiseError("Cannot serialise %s: %s", luaTypeName(v), reason)
}

func luaTypeName(v lua.LValue) string {
	if _, ok := v.(*lua.LUserData); ok {
		return "userdata"
	}
	return v.Type().String()
}

func (e *cjsonEncoder) value(v lua.LValue, depth int) {
	switch x := v.(type) {
	case lua.LString:
		e.buf = appendJSONString(e.buf, string(x))
	case lua.LNumber:
		e.number(v, float64(x))
	case lua.LBool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth {
			e.L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := e.arrayLength(x)
		if n > 0 || n == 0 && e.cfg.emptyTableIsArray {
			e.array(x, n, depth)
		} else {
			e.object(x, depth)
		}
	default:
		if v == lua.LNil || IsNull(v) {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.fail(v, "type not supported")
	}
}

func (e *cjsonEncoder) number(v lua.LValue, f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch e.cfg.invalidEncode {
		case 0:
			e.fail(v, "must not be NaN or Inf")
		case 2:
			e.buf = append(e.buf, "null"...)
			return
		}
	}
	e.buf = append(e.buf, FormatG(f, e.cfg.precision)...)
}

// FormatG is C's "%.<prec>g".
func FormatG(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// arrayLength returns the largest index when every key is a positive
// integer (lua_array_length), -1 when the table is an object.
func (e *cjsonEncoder) arrayLength(t *lua.LTable) int {
	max, items := 0, 0
	isArray := true
	t.ForEach(func(k, _ lua.LValue) {
		if !isArray {
			return
		}
		if n, ok := k.(lua.LNumber); ok && n != 0 {
			f := float64(n)
			if math.Floor(f) == f && f >= 1 {
				if int(f) > max {
					max = int(f)
				}
				items++
				return
			}
		}
		isArray = false
	})
	if !isArray {
		return -1
	}
	c := e.cfg
	if c.sparseRatio > 0 && max > items*c.sparseRatio && max > c.sparseSafe {
		if !c.sparseConvert {
			e.fail(t, "excessively sparse array")
		}
		return -1
	}
	return max
}

func (e *cjsonEncoder) array(t *lua.LTable, n, depth int) {
	e.buf = append(e.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf = append(e.buf, ',')
		}
		e.value(t.RawGetInt(i), depth)
	}
	e.buf = append(e.buf, ']')
}

func (e *cjsonEncoder) object(t *lua.LTable, depth int) {
	e.buf = append(e.buf, '{')
	first := true
	t.ForEach(func(k, v lua.LValue) {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		switch key := k.(type) {
		case lua.LString:
			e.buf = appendJSONString(e.buf, string(key))
		case lua.LNumber:
			e.buf = append(e.buf, '"')
			e.number(k, float64(key))
			e.buf = append(e.buf, '"')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.buf = append(e.buf, ':')
		e.value(v, depth)
	})
	e.buf = append(e.buf, '}')
}

// jsonEscape[c] is the letter after the backslash lua-cjson writes byte c
// with ('\n' -> 'n'); 0 for a byte written as it is or as \u00XX.
// jsonUnescape is the other way round, 0 for an invalid escape (or \u).
var (
	jsonEscape   = [256]byte{'"': '"', '\\': '\\', '/': '/', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't'}
	jsonUnescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
)

// appendJSONString appends s quoted with lua-cjson's escapes (including
// "\/" and \u00XX for control characters and DEL).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch e := jsonEscape[c]; {
		case e != 0:
			dst = append(dst, '\\', e)
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// Decoding.

type jsonTokenType int

const (
	tObjBegin jsonTokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

type jsonToken struct {
	typ   jsonTokenType
	index int
	str   string
	num   float64
	b     bool
	err   string
}

type jsonParser struct {
	L     *lua.LState
	cfg   *cjsonConfig
	data  string
	pos   int
	depth int
}

func (c *cjsonConfig) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "expected 1 argument")
	}
	p := &jsonParser{L: L, cfg: c, data: L.CheckString(1)}
	if len(p.data) >= 2 && (p.data[0] == 0 || p.data[1] == 0) {
		L.RaiseError("JSON parser does not support UTF-16 or UTF-32")
	}
	tok := p.next()
	v := p.value(&tok)
	tok = p.next()
	if tok.typ != tEnd {
		p.fail("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (p *jsonParser) fail(expected string, t *jsonToken) {
	found := jsonTokenNames[t.typ]
	if t.typ == tError {
		found = t.err
	}
	p.L.RaiseError("Expected %s but found %s at character %d", expected, found, t.index+1)
}

func (p *jsonParser) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func charToken(c byte) jsonTokenType {
	switch c {
	case ' ', '\t', '\n', '\r':
		return tWhitespace
	case '{':
		return tObjBegin
	case '}':
		return tObjEnd
	case '[':
		return tArrBegin
	case ']':
		return tArrEnd
	case ':':
		return tColon
	case ',':
		return tComma
	case 0:
		return tEnd
	case '"', '+', '-', 'i', 'I', 't', 'f', 'n', 'N':
		return tUnknown
	}
	if c >= '0' && c <= '9' {
		return tUnknown
	}
	return tError
}

func (p *jsonParser) next() jsonToken {
	var t jsonToken
	for {
		t.typ = charToken(p.at(p.pos))
		if t.typ != tWhitespace {
			break
		}
		p.pos++
	}
	t.index = p.pos
	switch t.typ {
	case tError:
		p.tokenError(&t, "invalid token")
		return t
	case tEnd:
		return t
	case tUnknown:
	default:
		p.pos++
		return t
	}
	ch := p.at(p.pos)
	rest := p.data[p.pos:]
	switch {
	case ch == '"':
		p.stringToken(&t)
	case ch == '-' || ch >= '0' && ch <= '9':
		if !p.cfg.invalidDecode && p.invalidNumber() {
			p.tokenError(&t, "invalid number")
			return t
		}
		p.numberToken(&t)
	case hasPrefix(rest, "true"):
		t.typ, t.b = tBoolean, true
		p.pos += 4
	case hasPrefix(rest, "false"):
		t.typ, t.b = tBoolean, false
		p.pos += 5
	case hasPrefix(rest, "null"):
		t.typ = tNull
		p.pos += 4
	case p.cfg.invalidDecode && p.invalidNumber():
		p.numberToken(&t)
	default:
		p.tokenError(&t, "invalid token")
	}
	return t
}

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

func (p *jsonParser) tokenError(t *jsonToken, msg string) {
	t.typ = tError
	t.index = p.pos
	t.err = msg
}

// invalidNumber is json_is_invalid_number: forms strtod takes that strict
// JSON does not (leading '+', hex, leading zeros, inf, nan).
func (p *jsonParser) invalidNumber() bool {
	i := p.pos
	if p.at(i) == '+' {
		return true
	}
	if p.at(i) == '-' {
		i++
	}
	c := p.at(i)
	if c == '0' {
		c2 := p.at(i + 1)
		return c2|0x20 == 'x' || c2 >= '0' && c2 <= '9'
	} else if c <= '9' {
		return false
	}
	rest := p.data[i:]
	return len(rest) >= 3 && (equalFold3(rest, "inf") || equalFold3(rest, "nan"))
}

func equalFold3(s, w string) bool {
	for i := 0; i < 3; i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

func (p *jsonParser) numberToken(t *jsonToken) {
	t.typ = tNumber
	v, n := StrtodPrefix(p.data[p.pos:])
	if n == 0 {
		p.tokenError(t, "invalid number")
		return
	}
	t.num = v
	p.pos += n
}

func (p *jsonParser) stringToken(t *jsonToken) {
	p.pos++
	var buf []byte
	for {
		if p.pos >= len(p.data) || p.data[p.pos] == 0 {
			p.tokenError(t, "unexpected end of string")
			return
		}
		ch := p.data[p.pos]
		if ch == '"' {
			break
		}
		if ch == '\\' {
			esc := p.at(p.pos + 1)
			if esc == 'u' {
				var ok bool
				if buf, ok = p.unicodeEscape(buf); !ok {
					p.tokenError(t, "invalid unicode escape code")
					return
				}
				continue
			}
			out := jsonUnescape[esc]
			if out == 0 {
				p.tokenError(t, "invalid escape code")
				return
			}
			buf = append(buf, out)
			p.pos += 2
			continue
		}
		buf = append(buf, ch)
		p.pos++
	}
	p.pos++
	t.typ = tString
	t.str = string(buf)
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at p.pos
// into UTF-8.
func (p *jsonParser) unicodeEscape(buf []byte) ([]byte, bool) {
	r, ok := hex4(p.data[p.pos+2:])
	if !ok {
		return buf, false
	}
	size := 6
	if r&0xF800 == 0xD800 {
		if r&0xFC00 != 0xD800 {
			return buf, false // a lone low surrogate
		}
		rest := p.data[p.pos+6:]
		if len(rest) < 2 || rest[0] != '\\' || rest[1] != 'u' {
			return buf, false
		}
		lo, ok := hex4(rest[2:])
		if !ok || lo&0xFC00 != 0xDC00 {
			return buf, false
		}
		r = ((r&0x3FF)<<10 | lo&0x3FF) + 0x10000
		size = 12
	}
	buf = utf8.AppendRune(buf, r)
	p.pos += size
	return buf, true
}

func (p *jsonParser) descend() {
	p.depth++
	if p.depth > p.cfg.decodeMaxDepth {
		p.L.RaiseError("Found too many nested data structures (%d) at character %d", p.depth, p.pos)
	}
}

func (p *jsonParser) value(t *jsonToken) lua.LValue {
	switch t.typ {
	case tString:
		return lua.LString(t.str)
	case tNumber:
		return lua.LNumber(t.num)
	case tBoolean:
		return lua.LBool(t.b)
	case tObjBegin:
		return p.object()
	case tArrBegin:
		return p.array()
	case tNull:
		return p.cfg.null
	}
	p.fail("value", t)
	return nil
}

func (p *jsonParser) object() lua.LValue {
	p.descend()
	tb := p.L.NewTable()
	t := p.next()
	if t.typ == tObjEnd {
		p.depth--
		return tb
	}
	for {
		if t.typ != tString {
			p.fail("object key string", &t)
		}
		key := lua.LString(t.str)
		t = p.next()
		if t.typ != tColon {
			p.fail("colon", &t)
		}
		t = p.next()
		tb.RawSet(key, p.value(&t))
		t = p.next()
		if t.typ == tObjEnd {
			p.depth--
			return tb
		}
		if t.typ != tComma {
			p.fail("comma or object end", &t)
		}
		t = p.next()
	}
}

func (p *jsonParser) array() lua.LValue {
	p.descend()
	tb := p.L.NewTable()
	t := p.next()
	if t.typ == tArrEnd {
		p.depth--
		return tb
	}
	for i := 1; ; i++ {
		tb.RawSetInt(i, p.value(&t))
		t = p.next()
		if t.typ == tArrEnd {
			p.depth--
			return tb
		}
		if t.typ != tComma {
			p.fail("comma or array end", &t)
		}
		t = p.next()
	}
}

// StrtodPrefix parses the longest prefix of s that C's strtod accepts
// and returns its value and length (0 when there is none).
func StrtodPrefix(s string) (float64, int) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	switch {
	case len(rest) >= 3 && equalFold3(rest, "inf"):
		n := i + 3
		if len(rest) >= 8 && equalFold3(rest[3:], "ini") && equalFold3(rest[5:], "ity") {
			n = i + 8
		}
		if neg {
			return math.Inf(-1), n
		}
		return math.Inf(1), n
	case len(rest) >= 3 && equalFold3(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && isAlnum(s[j]) || j < len(s) && s[j] == '_' {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		v := math.NaN()
		if neg {
			v = math.Copysign(v, -1)
		}
		return v, n
	case len(rest) >= 2 && rest[0] == '0' && rest[1]|0x20 == 'x':
		j := i + 2
		var v float64
		digits := 0
		for j < len(s) && isHexDigit(s[j]) {
			v = v*16 + float64(hexVal(s[j]))
			j++
			digits++
		}
		if j < len(s) && s[j] == '.' {
			scale := 1.0 / 16
			j++
			for j < len(s) && isHexDigit(s[j]) {
				v += float64(hexVal(s[j])) * scale
				scale /= 16
				j++
				digits++
			}
		}
		if digits == 0 {
			return 0, i + 1 // just the "0"
		}
		if j < len(s) && s[j]|0x20 == 'p' {
			k := j + 1
			eneg := false
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				eneg = s[k] == '-'
				k++
			}
			if k < len(s) && s[k] >= '0' && s[k] <= '9' {
				e := 0
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					if e < 100000 {
						e = e*10 + int(s[k]-'0')
					}
					k++
				}
				if eneg {
					e = -e
				}
				v = math.Ldexp(v, e)
				j = k
			}
		}
		if neg {
			v = -v
		}
		return v, j
	}
	j := i
	mant := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		mant++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			mant++
		}
	}
	if mant == 0 {
		return 0, 0
	}
	if j < len(s) && s[j]|0x20 == 'e' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	v, err := strconv.ParseFloat(s[start:j], 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	return v, j
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
