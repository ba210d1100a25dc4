package server

import (
	"bytes"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/redisctl/redisctl/engine/resp"
)

// Conversions between RESP replies and Lua values, with Redis 7.0's rules
// (script_lua.c).

// respToLua converts one reply (what a command wrote for the script
// client, in RESP2 or RESP3) to a Lua value. isErr reports an error reply,
// which becomes a table {err=...}.
//
// RESP2: integer -> number, bulk -> string, null bulk/array -> false,
// array -> table, status -> {ok=...}, error -> {err=...}. RESP3 adds:
// null -> nil, map -> {map={...}}, set -> {set={k=true...}}, double ->
// {double=n}, boolean -> boolean, big number -> {big_number=s}, verbatim
// -> {verbatim_string={format=..., string=...}}; attributes are skipped.
func respToLua(L *lua.LState, b []byte, proto int) (v lua.LValue, isErr bool) {
	p := respReader{L: L, b: b}
	v = p.value()
	return v, p.firstErr
}

type respReader struct {
	L        *lua.LState
	b        []byte
	pos      int
	firstErr bool
}

func (r *respReader) line() []byte {
	i := bytes.IndexByte(r.b[r.pos:], '\r')
	if i < 0 {
		l := r.b[r.pos:]
		r.pos = len(r.b)
		return l
	}
	l := r.b[r.pos : r.pos+i]
	r.pos += i + 2
	return l
}

func (r *respReader) value() lua.LValue {
	if r.pos >= len(r.b) {
		return lua.LNil
	}
	typ := r.b[r.pos]
	r.pos++
	L := r.L
	switch typ {
	case '+':
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(r.line()))
		return t
	case '-':
		if r.pos == 1 {
			r.firstErr = true
		}
		t := L.NewTable()
		t.RawSetString("err", lua.LString(r.line()))
		markCountedError(t)
		return t
	case ':':
		n, _ := resp.ParseInt(r.line())
		return lua.LNumber(n)
	case '$', '=':
		n, _ := resp.ParseInt(r.line())
		if n < 0 {
			return lua.LFalse
		}
		s := r.b[r.pos : r.pos+int(n)]
		r.pos += int(n) + 2
		if typ == '=' {
			// Built as Redis builds it, so pairs() visits the fields in
			// the same order.
			t := L.CreateTable(0, 1)
			vt := L.NewTable()
			if len(s) >= 4 {
				vt.RawSetString("string", lua.LString(s[4:]))
				vt.RawSetString("format", lua.LString(s[:3]))
			}
			t.RawSetString("verbatim_string", vt)
			return t
		}
		return lua.LString(s)
	case '*', '>':
		n, _ := resp.ParseInt(r.line())
		if n < 0 {
			return lua.LFalse
		}
		// An empty table filled in order, a RESP3 null storing nil under
		// its index, as Redis does: the holes shape the table as in
		// Redis, and so its length and the order of pairs().
		t := L.NewTable()
		for i := 1; i <= int(n); i++ {
			t.RawSetInt(i, r.value())
		}
		return t
	case '%', '~':
		n, _ := resp.ParseInt(r.line())
		inner := L.NewTable()
		for i := 0; i < int(n); i++ {
			k := r.value()
			var v lua.LValue = lua.LTrue
			if typ == '%' {
				v = r.value()
			}
			if k != lua.LNil {
				inner.RawSet(k, v)
			}
		}
		t := L.CreateTable(0, 1)
		if typ == '%' {
			t.RawSetString("map", inner)
		} else {
			t.RawSetString("set", inner)
		}
		return t
	case '|':
		n, _ := resp.ParseInt(r.line())
		for i := 0; i < 2*int(n); i++ {
			r.value()
		}
		return r.value()
	case '_':
		r.line()
		return lua.LNil
	case '#':
		return lua.LBool(string(r.line()) == "t")
	case ',':
		f, _ := strconv.ParseFloat(strings.ToLower(string(r.line())), 64)
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(r.line()))
		return t
	}
	r.line()
	return lua.LNil
}

// addLuaReply writes a script's return value as the reply
// (luaReplyToRedisReply): strings as bulks, numbers truncated to
// integers, booleans as 1/null (the script in RESP2) or RESP3 booleans,
// tables as arrays up to the first nil, or as an error, status, double,
// big number, verbatim string, map or set when they have that field.
func (c *Client) addLuaReply(v lua.LValue, scriptResp int) {
	switch x := v.(type) {
	case lua.LString:
		c.addBulk([]byte(x))
	case lua.LBool:
		switch {
		case scriptResp == 3:
			c.addBool(bool(x))
		case bool(x):
			c.addInt(1)
		default:
			c.addNull()
		}
	case lua.LNumber:
		c.addInt(luaNumberToInt(float64(x)))
	case *lua.LTable:
		c.addLuaTable(x, scriptResp)
	default:
		c.addNull()
	}
}

// luaNumberToInt is C's (long long) cast as x86-64 does it: out of range
// and NaN give the minimum.
func luaNumberToInt(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return -9223372036854775808
	}
	return int64(f)
}

func (c *Client) addLuaTable(t *lua.LTable, scriptResp int) {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		c.addLuaError(t, string(s))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		c.addSimple(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		c.addDouble(float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		c.addBigNumber(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(s)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, ok1 := vt.RawGetString("format").(lua.LString)
		str, ok2 := vt.RawGetString("string").(lua.LString)
		if ok1 && ok2 {
			c.addVerbatimFormat(string(format), []byte(str))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		pos := c.deferLen()
		n := 0
		m.ForEach(func(k, v lua.LValue) {
			c.addLuaReply(k, scriptResp)
			c.addLuaReply(v, scriptResp)
			n++
		})
		c.setDeferredMapLen(pos, n)
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		pos := c.deferLen()
		n := 0
		s.ForEach(func(k, _ lua.LValue) {
			c.addLuaReply(k, scriptResp)
			n++
		})
		c.setDeferredSetLen(pos, n)
		return
	}
	pos := c.deferLen()
	n := 0
	for {
		v := t.RawGetInt(n + 1)
		if v == lua.LNil {
			break
		}
		c.addLuaReply(v, scriptResp)
		n++
	}
	c.setDeferredArrayLen(pos, n)
}

// addLuaError replies an {err=...} table: its message, its code being its
// first word, and where it was raised when the table says.
func (c *Client) addLuaError(t *lua.LTable, msg string) {
	msg = strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
	c.addErrorCounted(msg, errorCounted(t))
}

// addErrorCounted replies msg as an error; when the error stats already
// counted it (counted), the reply only marks the command failed.
func (c *Client) addErrorCounted(msg string, counted bool) {
	if !counted {
		c.addErrorRaw(msg)
		return
	}
	c.out = resp.AppendError(c.out, msg)
	c.flags |= flagErrored
}

// addScriptError replies the error a script ended with (luaCallFunction):
// "<err> script: <name>, on <source>:<line>." for an error table.
func (c *Client) addScriptError(run *scriptRun, errObj lua.LValue) {
	t, ok := errObj.(*lua.LTable)
	if !ok {
		msg := "execution failure"
		if s, ok := luaStringArg(errObj); ok {
			msg = s
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		c.addError("ERR Error running script " + run.name + ", " + strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
		return
	}
	msg, _ := luaStringArg(t.RawGetString("err"))
	source, hasSource := t.RawGetString("source").(lua.LString)
	line, hasLine := t.RawGetString("line").(lua.LNumber)
	if hasSource && hasLine {
		msg += " script: " + run.name + ", on " + string(source) + ":" + strconv.FormatInt(int64(line), 10) + "."
	}
	c.addErrorCounted(strings.NewReplacer("\r", " ", "\n", " ").Replace(msg), errorCounted(t))
}

// addErrorRaw replies msg as an error as it is (its first word is its
// code), counted in the error stats.
func (c *Client) addErrorRaw(msg string) {
	c.addError(msg)
}

// addBigNumber replies a RESP3 big number (a bulk string in RESP2).
func (c *Client) addBigNumber(digits string) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendBigNumber(c.out, digits)
		return
	}
	c.addBulkStr(digits)
}

// addVerbatimFormat replies a RESP3 verbatim string with format (a bulk
// string in RESP2).
func (c *Client) addVerbatimFormat(format string, text []byte) {
	if c.proto == resp.RESP3 {
		if len(format) != 3 {
			format = (format + "   ")[:3]
		}
		c.out = resp.AppendVerbatim(c.out, format, text)
		return
	}
	c.addBulk(text)
}
