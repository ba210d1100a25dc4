package lualib

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// OpenBit returns the bit module (LuaBitOp 1.0.2): 32-bit operations on
// numbers, results as signed 32-bit integers.
func OpenBit(L *lua.LState) *lua.LTable {
	return newModule(L, 12, []libFunc{
		{"tobit", func(L *lua.LState) int { return pushBits(L, bitArg(L, 1)) }},
		{"bnot", func(L *lua.LState) int { return pushBits(L, ^bitArg(L, 1)) }},
		{"band", bitFold(func(a, b uint32) uint32 { return a & b })},
		{"bor", bitFold(func(a, b uint32) uint32 { return a | b })},
		{"bxor", bitFold(func(a, b uint32) uint32 { return a ^ b })},
		{"lshift", bitShift(func(b uint32, n uint) uint32 { return b << n })},
		{"rshift", bitShift(func(b uint32, n uint) uint32 { return b >> n })},
		{"arshift", bitShift(func(b uint32, n uint) uint32 { return uint32(int32(b) >> n) })},
		{"rol", bitShift(func(b uint32, n uint) uint32 { return b<<n | b>>(32-n) })},
		{"ror", bitShift(func(b uint32, n uint) uint32 { return b>>n | b<<(32-n) })},
		{"bswap", func(L *lua.LState) int {
			b := bitArg(L, 1)
			return pushBits(L, b>>24|(b>>8)&0xff00|(b&0xff00)<<8|b<<24)
		}},
		{"tohex", bitToHex},
	})
}

// bitArg normalizes argument i to 32 bits the way LuaBitOp does: adding
// 2^52+2^51 and keeping the low word, which rounds to nearest and wraps.
func bitArg(L *lua.LState, i int) uint32 {
	n := float64(L.CheckNumber(i))
	return uint32(math.Float64bits(n + 6755399441055744.0))
}

func pushBits(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(float64(int32(b))))
	return 1
}

func bitFold(op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		for i := L.GetTop(); i > 1; i-- {
			b = op(b, bitArg(L, i))
		}
		return pushBits(L, b)
	}
}

func bitShift(op func(b uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1)
		n := uint(bitArg(L, 2) & 31)
		return pushBits(L, op(b, n))
	}
}

func bitToHex(L *lua.LState) int {
	b := bitArg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(bitArg(L, 2))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
