// Package lualib provides, on gopher-lua, the Lua libraries Redis ships
// with its scripting engine: bit (LuaBitOp), struct, cjson (lua-cjson) and
// cmsgpack (lua-cmsgpack), with the same results and error messages.
package lualib

import (
	lua "github.com/yuin/gopher-lua"
)

// libFunc is one entry of a library's function list (a luaL_Reg).
type libFunc struct {
	name string
	fn   lua.LGFunction
}

// newModule returns a table holding funcs, inserted in their order into a
// table created with room for hint keys: what the C library does
// (luaL_register sizes the table for its functions, lua_newtable does
// not), so the table has the same layout and pairs() the same order.
func newModule(L *lua.LState, hint int, funcs []libFunc) *lua.LTable {
	t := L.CreateTable(0, hint)
	for _, f := range funcs {
		t.RawSetString(f.name, L.NewFunction(f.fn))
	}
	return t
}

// argError raises Lua's "bad argument #n to 'f' (msg)".
func argError(L *lua.LState, n int, msg string) { L.ArgError(n, msg) }
