package server

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/lualib"
)

// The redis table scripts see: redis.call, redis.pcall and helpers.

// Replication flags of redis.set_repl.
const (
	replNone    = 0
	replAOF     = 1
	replReplica = 2
	replAll     = 3
)

// Log levels of redis.log.
var luaLogLevels = []string{"LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"}

// newRedisAPI builds the redis table, inserting its fields in the order
// Redis 7.0 does (luaRegisterRedisAPI, then EVAL's debugging helpers):
// that order decides the table's layout, so pairs(redis) visits them as
// in Redis. Functions get no debugging helpers (breakpoint, debug,
// replicate_commands), as in Redis.
func (e *luaEnv) newRedisAPI() *lua.LTable {
	L := e.L
	t := L.NewTable()
	fn := func(name string, f lua.LGFunction) { t.RawSetString(name, L.NewFunction(f)) }
	fn("call", func(L *lua.LState) int { return e.redisCall(L, true) })
	fn("pcall", func(L *lua.LState) int { return e.redisCall(L, false) })
	fn("log", e.luaLog)
	for i, name := range luaLogLevels {
		t.RawSetString(name, lua.LNumber(i))
	}
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum))
	t.RawSetString("REDIS_VERSION", lua.LString(config.RedisVersion))
	fn("setresp", e.luaSetResp)
	fn("sha1hex", luaSha1hex)
	fn("error_reply", luaErrorReply)
	fn("status_reply", luaStatusReply)
	fn("set_repl", e.luaSetRepl)
	t.RawSetString("REPL_NONE", lua.LNumber(replNone))
	t.RawSetString("REPL_AOF", lua.LNumber(replAOF))
	t.RawSetString("REPL_SLAVE", lua.LNumber(replReplica))
	t.RawSetString("REPL_REPLICA", lua.LNumber(replReplica))
	t.RawSetString("REPL_ALL", lua.LNumber(replAll))
	fn("acl_check_cmd", e.luaACLCheckCmd)
	if e.function {
		return t // the debugging helpers are EVAL's only
	}
	fn("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 })
	fn("debug", func(L *lua.LState) int { return 0 })
	fn("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	return t
}

// redisVersionNum is 7.0.15 as 0x00MMmmpp.
const redisVersionNum = 7<<16 | 0<<8 | 15

// luaError builds Redis's error table from a reply-style message: "-CODE
// msg" keeps its code, anything else gets "ERR" (luaPushErrorBuff).
func luaErrorTable(L *lua.LState, msg string) *lua.LTable {
	code := "ERR"
	if strings.HasPrefix(msg, "-") {
		if sp := strings.IndexByte(msg, ' '); sp >= 0 {
			code, msg = msg[1:sp], msg[sp+1:]
		} else {
			msg = msg[1:]
		}
	}
	msg = strings.TrimRight(msg, "\r\n")
	t := L.NewTable()
	t.RawSetString("err", lua.LString(code+" "+msg))
	return t
}

// markCountedError flags an error table whose error the error stats
// already counted (a command's error reply, or a command the script was
// refused), as Redis's ignore_error_stats_update field does: returning it
// from the script does not count it again.
func markCountedError(t *lua.LTable) {
	t.RawSetString("ignore_error_stats_update", lua.LTrue)
}

// errorCounted reports whether markCountedError flagged t.
func errorCounted(t *lua.LTable) bool {
	return t.RawGetString("ignore_error_stats_update") == lua.LTrue
}

// raiseErrorTable raises msg as an error table (luaError).
func raiseErrorTable(L *lua.LState, msg string) {
	L.Error(luaErrorTable(L, msg), 0)
}

func luaErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(luaErrorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := L.ToString(1)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(luaErrorTable(L, msg))
	return 1
}

func luaStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(luaErrorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.NewTable()
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

func luaSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErrorTable(L, "wrong number of arguments")
	}
	s, _ := luaStringArg(L.Get(1))
	L.Push(lua.LString(sha1hex([]byte(s))))
	return 1
}

// luaStringArg is lua_tolstring: strings, and numbers formatted as Lua
// does.
func luaStringArg(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return x.String(), true
	}
	return "", false
}

func (e *luaEnv) luaLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raiseErrorTable(L, "redis.log() requires two arguments or more.")
	}
	if !lua.LVIsNumber(L.Get(1)) {
		raiseErrorTable(L, "First argument must be a number (log level).")
	}
	level := luaToInt(L, 1)
	if level < levelDebug || level > levelWarning {
		raiseErrorTable(L, "Invalid debug level.")
	}
	var b strings.Builder
	for j := 2; j <= argc; j++ {
		if s, ok := luaStringArg(L.Get(j)); ok {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
	}
	e.sc.srv.logf(level, "%s", b.String())
	return 0
}

func (e *luaEnv) luaSetResp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErrorTable(L, "redis.setresp() requires one argument.")
	}
	n := luaToInt(L, 1)
	if n != 2 && n != 3 {
		raiseErrorTable(L, "RESP version must be 2 or 3.")
	}
	if e.run != nil {
		e.run.resp = n
	}
	return 0
}

// luaToInt is Redis's (int)lua_tonumber(L, i): numbers and numeric
// strings, truncated; anything else is 0.
func luaToInt(L *lua.LState, i int) int {
	n := float64(L.ToNumber(i))
	if n != n || n >= 1<<31 || n <= -1<<31 {
		return math.MinInt32
	}
	return int(n)
}

func (e *luaEnv) luaSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErrorTable(L, "redis.set_repl() requires two arguments.")
	}
	n := luaToInt(L, 1)
	if n&^replAll != 0 {
		raiseErrorTable(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	if e.run != nil {
		e.run.repl = n
	}
	return 0
}

func (e *luaEnv) luaACLCheckCmd(L *lua.LState) int {
	argv, errMsg := luaArgv(L, nil)
	if errMsg != "" {
		raiseErrorTable(L, errMsg)
	}
	if e.sc.srv.lookupScriptCommand(argv) == nil {
		raiseErrorTable(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

// luaArgv converts redis.call's arguments: strings, and numbers as "%.17g".
// Each argument is a fresh copy; the slice holding them is dst's memory
// when dst is big enough.
func luaArgv(L *lua.LState, dst [][]byte) ([][]byte, string) {
	argc := L.GetTop()
	if argc == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	argv := dst[:0]
	if cap(argv) < argc {
		argv = make([][]byte, argc)
	}
	argv = argv[:argc]
	for j := 1; j <= argc; j++ {
		switch v := L.Get(j).(type) {
		case lua.LString:
			argv[j-1] = []byte(v)
		case lua.LNumber:
			argv[j-1] = []byte(lualib.FormatG(float64(v), 17))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
	}
	return argv, ""
}

// lookupScriptCommand finds the command (or subcommand) argv names, nil
// when unknown.
func (s *Server) lookupScriptCommand(argv [][]byte) *Command {
	cmd := s.cmds.lookup(argv[0])
	if cmd == nil || cmd.sub == nil || len(argv) < 2 {
		return cmd // a container alone: COMMAND runs, others fail their arity
	}
	// As Redis, an unknown subcommand is an unknown command, even for
	// COMMAND, which also runs on its own.
	return cmd.sub[strings.ToLower(string(argv[1]))]
}

// redisCall is redis.call (raise) and redis.pcall: run a command for the
// script, through the same checks as a client's, and return its reply as
// a Lua value.
func (e *luaEnv) redisCall(L *lua.LState, raise bool) int {
	fail := func(msg string) int {
		t := luaErrorTable(L, msg)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	// refuse fails a command the script may not run, counted as Redis
	// counts a rejected command: in the error stats and the command's
	// rejected_calls.
	refuse := func(cmd *Command, msg string) int {
		t := luaErrorTable(L, msg)
		e.sc.srv.countError(t.RawGetString("err").String())
		if cmd != nil {
			e.sc.srv.commandRejected(e.sc.client.stats, cmd)
		}
		markCountedError(t)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	run := e.run
	if run == nil {
		return fail("redis.call/pcall can only be called inside a script invocation")
	}
	// Without propagation nothing keeps the argument slice after the
	// call, so it is reused.
	var scratch [][]byte
	if !run.effects {
		scratch = e.argvBuf
	}
	argv, errMsg := luaArgv(L, scratch)
	if errMsg != "" {
		return fail(errMsg)
	}
	if !run.effects {
		e.argvBuf = argv
	}
	s := e.sc.srv
	cmd := s.lookupScriptCommand(argv)
	switch {
	case cmd == nil:
		return refuse(nil, "Unknown Redis command called from script")
	case (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity:
		return refuse(cmd, "Wrong number of args calling Redis command from script")
	case cmd.flags&FlagNoScript != 0 && !e.sc.denyOff.Load():
		return refuse(cmd, "This Redis command is not allowed from script")
	}
	// As Redis, a read-only script treats may-replicate commands
	// (PUBLISH, PFCOUNT...) as writes.
	if run.readOnly && cmd.flags&(FlagWrite|FlagMayReplicate) != 0 {
		return refuse(cmd, "-ERR Write commands are not allowed from read-only scripts.")
	}
	if cmd.flags&FlagWrite != 0 {
		if run.oom && cmd.flags&FlagDenyOOM != 0 && !run.allowOOM && !run.wrote {
			return refuse(cmd, "-OOM command not allowed when used memory > 'maxmemory'.")
		}
	}
	cl := e.sc.client
	cl.argv, cl.cmd = argv, cmd
	cl.proto = run.resp
	before := len(cl.out)
	cl.propHook = run.hook
	cl.call(cmd)
	cl.propHook = nil
	if cl.dirty > 0 {
		run.wrote = true
	}
	v, isErr := respToLua(L, cl.out[before:], run.resp)
	cl.out = cl.out[:before]
	if isErr && raise {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

// discard drops a write: nothing records effects now.
func (r *scriptRun) discard(int, [][]byte) {}

// capture records a write the script made, for propagation at its end,
// as redis.set_repl allows.
//
// The AOF is the engine's only propagation target: writes the script sends
// to replicas only (REPL_REPLICA) go nowhere, as in a Redis without
// replicas (alsoPropagate drops what no active target wants).
func (r *scriptRun) capture(db int, argv [][]byte) {
	if r.repl&replAOF == 0 {
		return
	}
	// The script client's arguments are fresh slices for every call (see
	// luaArgv), so they can be kept as they are.
	r.writes = append(r.writes, propOp{db, argv})
}
