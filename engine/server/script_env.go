package server

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/redisctl/redisctl/engine/lualib"
)

// luaEnv is one Lua interpreter set up as Redis sets up its own: the
// base, table, string, math and coroutine libraries, cjson, cmsgpack, bit
// and struct, the redis API, and globals protection (only Redis's allowed
// globals exist, reading any other raises an error, and the global table
// and the libraries are read-only).
type luaEnv struct {
	sc       *scripting
	L        *lua.LState
	globals  *lua.LTable
	redis    *lua.LTable
	onError  *lua.LFunction
	function bool // the functions engine's interpreter
	run      *scriptRun

	// The functions interpreter resolves "redis" through the globals'
	// metatable: to the load API while FUNCTION LOAD runs a library, to
	// the full API otherwise.
	fns        *functions
	loadAPI    *lua.LTable
	runtimeAPI *lua.LTable

	argvBuf [][]byte // redis.call's argument slice, reused when not propagated
}

// The globals a script may read (Redis 7.0's allow lists as 7.0.15 has
// them).
var luaAllowedGlobals = []string{
	"xpcall", "tostring", "setmetatable", "next", "assert", "tonumber", "rawequal", "rawget",
	"rawset", "collectgarbage", "getmetatable", "pcall", "coroutine", "type", "select",
	"unpack", "pairs", "loadstring", "load", "ipairs", "error", "string", "math", "table",
}

func newLuaEnv(sc *scripting, function bool) *luaEnv {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 256, RegistrySize: 1024 * 4, RegistryMaxSize: 1024 * 1024})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	e := &luaEnv{sc: sc, L: L, function: function}
	base := L.G.Global
	g := L.NewTable()
	for _, name := range luaAllowedGlobals {
		g.RawSetString(name, base.RawGetString(name))
	}
	g.RawSetString("pcall", L.NewFunction(luaPcall))
	g.RawSetString("collectgarbage", L.NewFunction(luaCollectGarbage))
	g.RawSetString("_G", g)
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(80))
		return 1
	}))
	math := g.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(sc.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(sc.mathRandomSeed))
	g.RawSetString("cjson", lualib.OpenCJSON(L))
	g.RawSetString("cmsgpack", lualib.OpenCMsgpack(L))
	g.RawSetString("bit", lualib.OpenBit(L))
	g.RawSetString("struct", lualib.OpenStruct(L))
	e.redis = e.newRedisAPI()
	e.onError = L.NewFunction(e.errorHandler)
	g.RawSetString("__redis__err__handler", e.onError)
	for _, name := range []string{"coroutine", "string", "math", "table", "cjson", "cmsgpack", "bit", "struct"} {
		g.RawGetString(name).(*lua.LTable).SetReadOnly(true)
	}
	missing := L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", L.ToString(2))
		return 0
	})
	protect := func(t *lua.LTable) *lua.LTable {
		mt := L.NewTable()
		mt.RawSetString("__index", missing)
		mt.SetReadOnly(true)
		t.Metatable = mt
		t.SetReadOnly(true)
		return t
	}
	mt := L.NewTable()
	mt.RawSetString("__index", missing)
	mt.SetReadOnly(true)
	g.Metatable = mt
	e.redis.SetReadOnly(true)
	g.RawSetString("redis", e.redis)
	g.SetReadOnly(true)
	if function {
		// Functions' globals are empty: names resolve through the
		// metatable, to every allowed global at run time but only to the
		// load API (redis.register_function, redis.log...) while a
		// library loads.
		e.runtimeAPI = g
		loadRedis := L.NewTable()
		loadRedis.RawSetString("register_function", L.NewFunction(e.registerFunction))
		loadRedis.RawSetString("log", e.redis.RawGetString("log"))
		for _, k := range append(luaLogLevels, "REDIS_VERSION", "REDIS_VERSION_NUM") {
			loadRedis.RawSetString(k, e.redis.RawGetString(k))
		}
		e.loadAPI = L.NewTable()
		e.loadAPI.RawSetString("redis", protect(loadRedis))
		protect(e.loadAPI)
		g = L.NewTable()
		fmt := L.NewTable()
		fmt.RawSetString("__index", e.runtimeAPI)
		fmt.SetReadOnly(true)
		g.Metatable = fmt
		g.SetReadOnly(true)
	}
	e.globals = g
	L.Env = g
	L.G.Global = g
	return e
}

func (e *luaEnv) close() { e.L.Close() }

// compile compiles body as a chunk named chunk; err is the message Redis
// gives for a compile error ("user_script:1: ...").
func (e *luaEnv) compile(body []byte, chunk string) (*lua.LFunction, string) {
	fn, err := e.L.Load(bytes.NewReader(body), chunk)
	if err != nil {
		return nil, luaCompileError(err, chunk, body)
	}
	fn.Env = e.globals
	return fn, ""
}

// luaCompileError words a gopher-lua parse error the way Lua 5.1 does
// ("user_script:LINE: unexpected symbol near 'TOKEN'").
func luaCompileError(err error, chunk string, body []byte) string {
	name := strings.TrimPrefix(chunk, "@")
	var perr *parse.Error
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Cause != nil {
		err = apiErr.Cause
	}
	if !errors.As(err, &perr) {
		msg := err.Error()
		if i := strings.Index(msg, "\n"); i >= 0 {
			msg = msg[:i]
		}
		return name + ": " + msg
	}
	if perr.Pos.Line == parse.EOF {
		line := bytes.Count(body, []byte("\n")) + 1
		return name + ":" + strconv.Itoa(line) + ": unexpected symbol near '<eof>'"
	}
	msg := perr.Message
	switch {
	case strings.Contains(msg, "unterminated string"):
		// Lua reports it on the line the string started, with its quote.
		quote := "'"
		if i := bytes.Index(body, []byte(perr.Token)); i > 0 {
			quote = string(body[i-1])
		}
		return name + ":" + strconv.Itoa(max(perr.Pos.Line-1, 1)) + ": unfinished string near '" + quote + perr.Token + "'"
	case msg == "parse error" && bareNameBefore(body, perr.Pos.Line, perr.Pos.Column-len(perr.Token)+1):
		// A statement that is only a name: Lua wanted an assignment.
		msg = "'=' expected near '" + perr.Token + "'"
	case msg == "syntax error" || msg == "parse error" || msg == "":
		msg = "unexpected symbol near '" + perr.Token + "'"
	default:
		msg += " near '" + perr.Token + "'"
	}
	return name + ":" + strconv.Itoa(perr.Pos.Line) + ": " + msg
}

// bareNameBefore reports whether the text before column col of line is a
// bare name (or a chain of fields), the start of an expression statement.
func bareNameBefore(body []byte, line, col int) bool {
	start := lineOffset(body, line-1)
	end := lineOffset(body, line)
	text := body[start:end]
	if col-1 > len(text) || col < 1 {
		return false
	}
	before := strings.TrimSpace(string(text[:col-1]))
	if i := strings.LastIndexAny(before, ";"); i >= 0 {
		before = strings.TrimSpace(before[i+1:])
	}
	if before == "" {
		return false
	}
	for i, ch := range before {
		ok := ch == '_' || ch == '.' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9'
		if !ok {
			return false
		}
	}
	return !luaKeyword(before)
}

func luaKeyword(s string) bool {
	switch s {
	case "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
		"local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while":
		return true
	}
	return false
}

// lineOffset returns the offset just past line n (1-based) of body.
func lineOffset(body []byte, n int) int {
	off := 0
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(body[off:], '\n')
		if j < 0 {
			return len(body)
		}
		off += j + 1
	}
	return off
}

// arm makes run the running script of this interpreter.
func (e *luaEnv) arm(run *scriptRun) {
	e.run = run
	e.L.SetHook(e.sc.hook, scriptHookEvery)
}

func (e *luaEnv) disarm() {
	e.L.SetHook(nil, 0)
	e.run = nil
}

// call runs fn with KEYS and ARGV set; it returns the script's value, or
// the error object (a table with err, source and line) when it failed.
func (e *luaEnv) call(fn *lua.LFunction, keys, args [][]byte) (lua.LValue, lua.LValue) {
	L := e.L
	e.globals.RawSetString("KEYS", e.stringArray(keys))
	e.globals.RawSetString("ARGV", e.stringArray(args))
	L.Push(fn)
	if err := L.PCall(0, 1, e.onError); err != nil {
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) && apiErr.Object != nil {
			return nil, apiErr.Object
		}
		return nil, lua.LString(err.Error())
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}

func (e *luaEnv) stringArray(items [][]byte) *lua.LTable {
	t := e.L.CreateTable(len(items), 0)
	for i, a := range items {
		t.RawSetInt(i+1, lua.LString(a))
	}
	return t
}

// errorHandler is Redis's __redis__err__handler: it turns the error into
// a table {err=..., source=..., line=...}, "ERR " prefixed unless it was
// already an error table, with where the error was raised.
func (e *luaEnv) errorHandler(L *lua.LState) int {
	v := L.Get(1)
	t, ok := v.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+luaToString(v)))
	} else if t.ReadOnly() {
		// A read-only table was raised: describe it rather than change it.
		t2 := L.NewTable()
		t2.RawSetString("err", t.RawGetString("err"))
		t = t2
	}
	level := 1
	dbg, ok := L.GetStack(level)
	if ok {
		if _, err := L.GetInfo("Sl", dbg, nil); err == nil && dbg.What == "G" {
			if d2, ok2 := L.GetStack(level + 1); ok2 {
				dbg = d2
				L.GetInfo("Sl", dbg, nil)
			}
		}
		if dbg.Source != "" && dbg.CurrentLine >= 0 {
			t.RawSetString("source", lua.LString(dbg.Source))
			t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		}
	}
	L.Push(t)
	return 1
}

func luaToString(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return x.String()
	}
	return v.String()
}

// luaPcall is Redis's pcall: like Lua's, but an error table caught is
// returned as its err string.
func luaPcall(L *lua.LState) int {
	argc := L.GetTop()
	if argc == 0 {
		// Redis's pcall then calls the true it pushed for the result.
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a boolean value"))
		return 2
	}
	if err := L.PCall(argc-1, lua.MultRet, nil); err != nil {
		var v lua.LValue = lua.LString(err.Error())
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) && apiErr.Object != nil {
			v = apiErr.Object
		}
		if t, ok := v.(*lua.LTable); ok {
			if s, ok := luaStringArg(t.RawGetString("err")); ok {
				v = lua.LString(s)
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(v)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// luaCollectGarbage is collectgarbage on a VM whose memory the Go runtime
// manages: "count" reports an estimate in KB, the rest succeed.
func luaCollectGarbage(L *lua.LState) int {
	switch L.OptString(1, "collect") {
	case "count":
		L.Push(lua.LNumber(80))
	case "step":
		L.Push(lua.LFalse)
	case "collect", "stop", "restart", "setpause", "setstepmul":
		L.Push(lua.LNumber(0))
	default:
		L.ArgError(1, "invalid option '"+L.ToString(1)+"'")
	}
	return 1
}

// setLoadAPI switches what "redis" means in the functions interpreter.
func (e *luaEnv) setLoadAPI(loading bool) {
	mt := e.globals.Metatable.(*lua.LTable)
	if loading {
		mt.RawSetString("__index", e.loadAPI)
	} else {
		mt.RawSetString("__index", e.runtimeAPI)
	}
}

func (e *luaEnv) registerFunction(L *lua.LState) int {
	if e.fns == nil || e.fns.load == nil {
		raiseErrorString(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	return e.fns.registerFunction(L)
}

// callFunction calls a registered function with its keys and arguments
// as two tables.
func (e *luaEnv) callFunction(fn *lua.LFunction, keys, args [][]byte) (lua.LValue, lua.LValue) {
	L := e.L
	L.Push(fn)
	L.Push(e.stringArray(keys))
	L.Push(e.stringArray(args))
	if err := L.PCall(2, 1, e.onError); err != nil {
		if obj := luaErrorObject(err); obj != nil {
			return nil, obj
		}
		return nil, lua.LString(err.Error())
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
}
