package lualib

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// OpenCMsgpack returns the cmsgpack module (lua-cmsgpack 0.4.0 as Redis
// ships it).
func OpenCMsgpack(L *lua.LState) *lua.LTable {
	t := newModule(L, 0, []libFunc{
		{"pack", msgpackPack},
		{"unpack", func(L *lua.LState) int { return msgpackUnpack(L, 0, 0) }},
		{"unpack_one", func(L *lua.LState) int { return msgpackUnpack(L, 1, L.OptInt(2, 0)) }},
		{"unpack_limit", func(L *lua.LState) int { return msgpackUnpack(L, L.OptInt(2, 0), L.OptInt(3, 0)) }},
	})
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

// msgpackMaxNesting is where nested tables encode as nil (circular
// references).
const msgpackMaxNesting = 16

func msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func msgpackEncode(buf []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return msgpackBytes(buf, string(x))
	case lua.LBool:
		if x {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if !math.IsInf(f, 0) && f == float64(int64(f)) {
			return msgpackInt(buf, int64(f))
		}
		if float64(float32(f)) == f {
			return binary.BigEndian.AppendUint32(append(buf, 0xca), math.Float32bits(float32(f)))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcb), math.Float64bits(f))
	case *lua.LTable:
		if level == msgpackMaxNesting {
			return append(buf, 0xc0)
		}
		if n, ok := msgpackArrayLen(x); ok {
			buf = msgpackHeader(buf, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				buf = msgpackEncode(buf, x.RawGetInt(i), level+1)
			}
			return buf
		}
		n := 0
		x.ForEach(func(lua.LValue, lua.LValue) { n++ })
		buf = msgpackHeader(buf, n, 0x80, 0xde, 0xdf)
		x.ForEach(func(k, v lua.LValue) {
			buf = msgpackEncode(buf, k, level+1)
			buf = msgpackEncode(buf, v, level+1)
		})
		return buf
	}
	return append(buf, 0xc0)
}

// msgpackArrayLen is table_is_an_array: positive integer keys 1..n.
func msgpackArrayLen(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	ok := true
	t.ForEach(func(k, _ lua.LValue) {
		n, isNum := k.(lua.LNumber)
		if !ok || !isNum || n <= 0 || float64(n) != float64(int64(n)) {
			ok = false
			return
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	})
	return max, ok && max == count
}

func msgpackHeader(buf []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
}

func msgpackBytes(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
	}
	return append(buf, s...)
}

func msgpackInt(buf []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(buf, byte(n))
		case n <= 0xff:
			return append(buf, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(buf, byte(int8(n)))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

type msgpackErr int

const (
	msgpackOK msgpackErr = iota
	msgpackEOF
	msgpackBadFmt
)

type msgpackCursor struct {
	L   *lua.LState
	s   string
	p   int
	err msgpackErr
}

func (c *msgpackCursor) need(n int) bool {
	if len(c.s)-c.p < n {
		c.err = msgpackEOF
		return false
	}
	return true
}

func msgpackUnpack(L *lua.LState, limit, offset int) int {
	s := L.CheckString(1)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	} else if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	c := &msgpackCursor{L: L, s: s, p: offset}
	var out []lua.LValue
	for cnt := 0; c.p < len(s) && cnt < limit; cnt++ {
		v := c.decode()
		switch c.err {
		case msgpackEOF:
			L.RaiseError("Missing bytes in input.")
		case msgpackBadFmt:
			L.RaiseError("Bad data format in input.")
		}
		out = append(out, v)
	}
	n := 0
	if !decodeAll {
		next := c.p
		if c.p == len(s) {
			next = -1
		}
		L.Push(lua.LNumber(next))
		n++
	}
	for _, v := range out {
		L.Push(v)
	}
	return n + len(out)
}

func (c *msgpackCursor) str(n int) lua.LValue {
	if !c.need(n) {
		return lua.LNil
	}
	v := lua.LString(c.s[c.p : c.p+n])
	c.p += n
	return v
}

func (c *msgpackCursor) uint(n int) (uint64, bool) {
	if !c.need(n) {
		return 0, false
	}
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<8 | uint64(c.s[c.p+i])
	}
	c.p += n
	return v, true
}

func (c *msgpackCursor) array(n int) lua.LValue {
	t := c.L.NewTable()
	for i := 1; i <= n; i++ {
		v := c.decode()
		if c.err != msgpackOK {
			return lua.LNil
		}
		t.RawSetInt(i, v)
	}
	return t
}

func (c *msgpackCursor) mapValue(n int) lua.LValue {
	t := c.L.NewTable()
	for i := 0; i < n; i++ {
		k := c.decode()
		if c.err != msgpackOK {
			return lua.LNil
		}
		v := c.decode()
		if c.err != msgpackOK {
			return lua.LNil
		}
		if k != lua.LNil {
			t.RawSet(k, v)
		}
	}
	return t
}

func (c *msgpackCursor) decode() lua.LValue {
	if !c.need(1) {
		return lua.LNil
	}
	b := c.s[c.p]
	c.p++
	switch {
	case b <= 0x7f:
		return lua.LNumber(b)
	case b >= 0xe0:
		return lua.LNumber(int8(b))
	case b&0xe0 == 0xa0:
		return c.str(int(b & 0x1f))
	case b&0xf0 == 0x90:
		return c.array(int(b & 0x0f))
	case b&0xf0 == 0x80:
		return c.mapValue(int(b & 0x0f))
	}
	switch b {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xca:
		v, ok := c.uint(4)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(float64(math.Float32frombits(uint32(v))))
	case 0xcb:
		v, ok := c.uint(8)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float64frombits(v))
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := c.uint(1 << (b - 0xcc))
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(float64(v))
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (b - 0xd0)
		v, ok := c.uint(size)
		if !ok {
			return lua.LNil
		}
		shift := uint(64 - 8*size)
		return lua.LNumber(float64(int64(v<<shift) >> shift))
	case 0xc4, 0xd9:
		n, ok := c.uint(1)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xc5, 0xda:
		n, ok := c.uint(2)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xc6, 0xdb:
		n, ok := c.uint(4)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xdc, 0xdd:
		n, ok := c.uint(2 << (b - 0xdc))
		if !ok {
			return lua.LNil
		}
		return c.array(int(n))
	case 0xde, 0xdf:
		n, ok := c.uint(2 << (b - 0xde))
		if !ok {
			return lua.LNil
		}
		return c.mapValue(int(n))
	}
	c.err = msgpackBadFmt
	return lua.LNil
}
