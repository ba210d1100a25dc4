// Package lualib provides, on gopher-lua, the Lua libraries Redis ships
// with its scripting engine: bit (LuaBitOp), struct, cjson (lua-cjson) and
// cmsgpack (lua-cmsgpack), with the same results and error messages.
package lualib

import (
	lua "github.com/yuin/gopher-lua"
)

// newModule returns a table holding funcs.
func newModule(L *lua.LState, funcs map[string]lua.LGFunction) *lua.LTable {
	t := L.NewTable()
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// argError raises Lua's "bad argument #n to 'f' (msg)".
func argError(L *lua.LState, n int, msg string) { L.ArgError(n, msg) }
