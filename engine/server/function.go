package server

import (
	"errors"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/redisctl/redisctl/engine/glob"
	"github.com/redisctl/redisctl/engine/resp"
)

// Functions (Redis 7.0's functions.c and function_lua.c): libraries of
// Lua functions loaded with FUNCTION LOAD ("#!lua name=<lib>" code that
// calls redis.register_function), run with FCALL and FCALL_RO. They run in
// their own interpreter, with the same machinery as EVAL.

func functionCommands() []*Command {
	const flags = "noscript stale skip_monitor no_mandatory_keys movablekeys exclusive"
	return []*Command{
		{Name: "fcall", Arity: -3, Flags: flags, ACL: "@slow @scripting", Keys: []KeySpec{{Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", Flags: "RW access update", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: fcallCommand,
			Group: "scripting", Since: "7.0.0", Summary: "Invoke a function", Complexity: "Depends on the function that is executed."},
		{Name: "fcall_ro", Arity: -3, Flags: "readonly " + flags, ACL: "@slow @scripting", Keys: []KeySpec{{Notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: fcallRoCommand,
			Group: "scripting", Since: "7.0.0", Summary: "Invoke a read-only function", Complexity: "Depends on the function that is executed."},
		{Name: "function", Arity: -2, Flags: "", ACL: "@slow",
			Group: "scripting", Since: "7.0.0", Summary: "A container for function commands", Complexity: "Depends on subcommand.",
			Sub: []*Command{
				{Name: "list", Arity: -2, Flags: "noscript exclusive", ACL: "@slow @scripting", Tips: []string{"nondeterministic_output_order"}, Handler: functionListCommand,
					Group: "scripting", Since: "7.0.0", Summary: "List information about all the functions", Complexity: "O(N) where N is the number of functions"},
				{Name: "delete", Arity: 3, Flags: "write noscript exclusive", ACL: "@write @slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}, Handler: functionDeleteCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Delete a function by name", Complexity: "O(1)"},
				{Name: "kill", Arity: 2, Flags: "noscript allow_busy", ACL: "@slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:one_succeeded"}, Handler: functionKillCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Kill the function currently in execution.", Complexity: "O(1)"},
				{Name: "restore", Arity: -3, Flags: "write denyoom noscript exclusive", ACL: "@write @slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}, Handler: functionRestoreCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Restore all the functions on the given payload", Complexity: "O(N) where N is the number of functions on the payload"},
				{Name: "load", Arity: -3, Flags: "write denyoom noscript exclusive", ACL: "@write @slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}, Handler: functionLoadCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Create a function with the given arguments (name, code, description)", Complexity: "O(1) (considering compilation time is redundant)"},
				{Name: "flush", Arity: -2, Flags: "write noscript exclusive", ACL: "@write @slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}, Handler: functionFlushCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Deleting all functions", Complexity: "O(N) where N is the number of functions deleted"},
				{Name: "dump", Arity: 2, Flags: "noscript exclusive", ACL: "@slow @scripting", Handler: functionDumpCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Dump all functions into a serialized binary payload", Complexity: "O(N) where N is the number of functions"},
				{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow @scripting", Handler: functionHelpCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
				{Name: "stats", Arity: 2, Flags: "noscript allow_busy", ACL: "@slow @scripting", Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, Handler: functionStatsCommand,
					Group: "scripting", Since: "7.0.0", Summary: "Return information about the function currently running (name, description, duration)", Complexity: "O(1)"},
			}},
	}
}

// Script flags (shebang flags of EVAL scripts and functions' flags).
type scriptFlags uint32

const (
	scriptFlagNoWrites scriptFlags = 1 << iota
	scriptFlagAllowOOM
	scriptFlagAllowStale
	scriptFlagNoCluster
	scriptFlagAllowCrossSlot
	scriptFlagEvalCompat // an EVAL script without a shebang
)

var scriptFlagNames = []struct {
	f    scriptFlags
	name string
}{
	{scriptFlagNoWrites, "no-writes"}, {scriptFlagAllowOOM, "allow-oom"}, {scriptFlagAllowStale, "allow-stale"},
	{scriptFlagNoCluster, "no-cluster"}, {scriptFlagAllowCrossSlot, "allow-cross-slot-keys"},
}

func parseScriptFlag(name string) (scriptFlags, bool) {
	for _, f := range scriptFlagNames {
		if f.name == name {
			return f.f, true
		}
	}
	return 0, false
}

// functions holds the loaded libraries.
type functions struct {
	sc   *scripting
	env  *luaEnv
	libs map[string]*functionLib
	// funcs is keyed by lowercased name: function names are
	// case-insensitive across libraries (Redis's functionDictType).
	funcs map[string]*luaFunction
	// load is the library being loaded (redis.register_function), nil
	// otherwise.
	load *functionLib
}

type functionLib struct {
	name  string
	code  string
	funcs []*luaFunction // in registration order
}

type luaFunction struct {
	name  string
	lib   *functionLib
	fn    *lua.LFunction
	desc  string
	hasD  bool
	flags scriptFlags
}

func newFunctions(sc *scripting) *functions {
	f := &functions{sc: sc, libs: map[string]*functionLib{}, funcs: map[string]*luaFunction{}}
	f.env = newLuaEnv(sc, true)
	f.env.fns = f
	return f
}

func (f *functions) sortedLibs() []*functionLib {
	libs := make([]*functionLib, 0, len(f.libs))
	for _, l := range f.libs {
		libs = append(libs, l)
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].name < libs[j].name })
	return libs
}

// validName is functionsVerifyName: letters, digits and underscores.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

const errBadName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

// parseLibraryMeta splits "#!lua name=<name>\n<code>" into the library
// name and the code after the shebang (its newline included).
func parseLibraryMeta(payload string) (name, code string, err string) {
	if !strings.HasPrefix(payload, "#!") {
		return "", "", "Missing library metadata"
	}
	nl := strings.IndexByte(payload, '\n')
	if nl < 0 {
		return "", "", "Invalid library metadata"
	}
	parts, ok := resp.SplitArgs([]byte(payload[:nl]), nil)
	if !ok || len(parts) == 0 {
		return "", "", "Invalid library metadata"
	}
	engine := string(parts[0][2:])
	hasName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if hasName {
				return "", "", "Invalid metadata value, name argument was given multiple times"
			}
			name, hasName = string(p[5:]), true
			continue
		}
		return "", "", "Invalid metadata value given: " + string(p)
	}
	if !hasName {
		return "", "", "Library name was not given"
	}
	if !validName(name) {
		return "", "", errBadName
	}
	if !strings.EqualFold(engine, "lua") {
		return "", "", "Engine '" + engine + "' not found"
	}
	return name, payload[nl:], ""
}

// create compiles and runs a library's code, collecting the functions it
// registers. It does not link the library.
func (f *functions) create(payload string) (*functionLib, string) {
	name, code, err := parseLibraryMeta(payload)
	if err != "" {
		return nil, err
	}
	lib := &functionLib{name: name, code: payload}
	fn, cerr := f.env.compile([]byte(code), "@user_function")
	if cerr != "" {
		return nil, "Error compiling function: " + cerr
	}
	f.load = lib
	f.env.setLoadAPI(true)
	L := f.env.L
	start := time.Now()
	L.SetHook(func(L *lua.LState) {
		if time.Since(start) > 500*time.Millisecond {
			raiseErrorTable(L, "FUNCTION LOAD timeout")
		}
	}, scriptHookEvery)
	L.Push(fn)
	perr := L.PCall(0, 0, f.env.onError)
	L.SetHook(nil, 0)
	f.env.setLoadAPI(false)
	f.load = nil
	if perr != nil {
		msg := perr.Error()
		if obj := luaErrorObject(perr); obj != nil {
			if t, ok := obj.(*lua.LTable); ok {
				if s, ok := luaStringArg(t.RawGetString("err")); ok {
					msg = s
				}
			}
		}
		L.SetTop(0)
		return nil, "Error registering functions: " + msg
	}
	L.SetTop(0)
	if len(lib.funcs) == 0 {
		return nil, "No functions registered"
	}
	return lib, ""
}

// link adds lib (its functions known not to collide).
func (f *functions) link(lib *functionLib) {
	f.libs[lib.name] = lib
	for _, fn := range lib.funcs {
		f.funcs[strings.ToLower(fn.name)] = fn
	}
	f.counted()
}

func (f *functions) unlink(lib *functionLib) {
	delete(f.libs, lib.name)
	for _, fn := range lib.funcs {
		delete(f.funcs, strings.ToLower(fn.name))
	}
	f.counted()
}

// counted publishes the counts FUNCTION STATS reports and the libraries'
// code for snapshots, which read them without the server lock.
func (f *functions) counted() {
	codes := make([][]byte, 0, len(f.libs))
	for _, l := range f.sortedLibs() {
		codes = append(codes, []byte(l.code))
	}
	f.sc.mu.Lock()
	f.sc.fnLibs, f.sc.fnFuncs = len(f.libs), len(f.funcs)
	f.sc.libCodes = codes
	f.sc.mu.Unlock()
}

// libraryCodes returns the code of every function library (RDB saving).
func (sc *scripting) libraryCodes() [][]byte {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.libCodes
}

// loadFunctionCode loads a library read from an RDB file, replacing one
// of the same name.
func (sc *scripting) loadFunctionCode(code []byte) error {
	if _, err := sc.fns.loadLibrary(string(code), true); err != "" {
		return errors.New(err)
	}
	return nil
}

// loadLibrary is FUNCTION LOAD: it returns the library name or an error.
func (f *functions) loadLibrary(payload string, replace bool) (string, string) {
	name, _, err := parseLibraryMeta(payload)
	if err != "" {
		return "", err
	}
	old := f.libs[name]
	if old != nil && !replace {
		return "", "Library '" + name + "' already exists"
	}
	if old != nil {
		f.unlink(old)
	}
	lib, err := f.create(payload)
	if err == "" {
		for _, fn := range lib.funcs {
			if f.funcs[strings.ToLower(fn.name)] != nil {
				err = "Function " + fn.name + " already exists"
				break
			}
		}
	}
	if err != "" {
		if old != nil {
			f.link(old)
		}
		return "", err
	}
	f.link(lib)
	return lib.name, ""
}

// registerFunction is redis.register_function, during FUNCTION LOAD.
func (f *functions) registerFunction(L *lua.LState) int {
	lib := f.load
	if lib == nil {
		raiseErrorString(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	var name, desc string
	hasDesc := false
	var fn *lua.LFunction
	var flags scriptFlags
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raiseErrorString(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var failure string
		t.ForEach(func(k, v lua.LValue) {
			if failure != "" {
				return
			}
			key, ok := luaStringArg(k)
			if !ok {
				failure = "named argument key given to redis.register_function is not a string"
				return
			}
			switch strings.ToLower(key) {
			case "function_name":
				if name, ok = luaStringArg(v); !ok {
					failure = "function_name argument given to redis.register_function must be a string"
				}
			case "description":
				if desc, ok = luaStringArg(v); !ok {
					failure = "description argument given to redis.register_function must be a string"
				}
				hasDesc = true
			case "callback":
				if fn, ok = v.(*lua.LFunction); !ok {
					failure = "callback argument given to redis.register_function must be a function"
				}
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					failure = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				ft.ForEach(func(_, fv lua.LValue) {
					s, ok := fv.(lua.LString)
					fl, known := parseScriptFlag(string(s))
					if !ok || !known {
						failure = "unknown flag given"
						return
					}
					flags |= fl
				})
			default:
				failure = "unknown argument given to redis.register_function"
			}
		})
		switch {
		case failure != "":
			raiseErrorString(L, failure)
		case name == "" && !hasKey(t, "function_name"):
			raiseErrorString(L, "redis.register_function must get a function name argument")
		case fn == nil:
			raiseErrorString(L, "redis.register_function must get a callback argument")
		}
	case 2:
		var ok bool
		if name, ok = luaStringArg(L.Get(1)); !ok {
			raiseErrorString(L, "first argument to redis.register_function must be a string")
		}
		if fn, ok = L.Get(2).(*lua.LFunction); !ok {
			raiseErrorString(L, "second argument to redis.register_function must be a function")
		}
	default:
		raiseErrorString(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(name) {
		raiseErrorString(L, errBadName)
	}
	for _, other := range lib.funcs {
		if other.name == name {
			raiseErrorString(L, "Function already exists in the library")
		}
	}
	lib.funcs = append(lib.funcs, &luaFunction{name: name, lib: lib, fn: fn, desc: desc, hasD: hasDesc, flags: flags})
	return 0
}

func hasKey(t *lua.LTable, key string) bool {
	found := false
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok && strings.EqualFold(string(s), key) {
			found = true
		}
	})
	return found
}

// raiseErrorString raises "ERR msg" as a plain string, the way the
// functions API raises its errors (luaRaiseError).
func raiseErrorString(L *lua.LState, msg string) {
	L.Error(luaErrorTable(L, msg), 0)
}

func functionLoadCommand(c *Client) {
	f := c.srv.scripting.fns
	replace := false
	i := 2
	for ; i < len(c.argv)-1; i++ {
		if !argIs(c.argv[i], "replace") {
			c.addError("ERR Unknown option given: " + string(c.argv[i]))
			return
		}
		replace = true
	}
	if i != len(c.argv)-1 {
		c.addError("ERR Function code is missing")
		return
	}
	name, err := f.loadLibrary(string(c.argv[i]), replace)
	if err != "" {
		c.addError("ERR " + err)
		return
	}
	c.dirty++
	c.addBulkStr(name)
}

func functionDeleteCommand(c *Client) {
	f := c.srv.scripting.fns
	lib := f.libs[string(c.argv[2])]
	if lib == nil {
		c.addError("ERR Library not found")
		return
	}
	f.unlink(lib)
	c.dirty++
	c.addOK()
}

func functionFlushCommand(c *Client) {
	if len(c.argv) > 3 || len(c.argv) == 3 && !argIs(c.argv[2], "sync") && !argIs(c.argv[2], "async") {
		c.addError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.srv.scripting.fns.flush()
	c.dirty++
	c.addOK()
}

// flush deletes every library and starts a fresh interpreter.
func (f *functions) flush() {
	f.libs = map[string]*functionLib{}
	f.funcs = map[string]*luaFunction{}
	f.env.close()
	f.env = newLuaEnv(f.sc, true)
	f.env.fns = f
	f.counted()
}

func functionListCommand(c *Client) {
	f := c.srv.scripting.fns
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(c.argv); i++ {
		a := c.argv[i]
		switch {
		case !withCode && argIs(a, "withcode"):
			withCode = true
		case !hasPattern && argIs(a, "libraryname"):
			if i >= len(c.argv)-1 {
				c.addError("ERR library name argument was not given")
				return
			}
			i++
			pattern, hasPattern = c.argv[i], true
		default:
			c.addError("ERR Unknown argument " + string(a))
			return
		}
	}
	var libs []*functionLib
	for _, lib := range f.sortedLibs() {
		if hasPattern && !glob.Match(pattern, []byte(lib.name), true) {
			continue
		}
		libs = append(libs, lib)
	}
	c.addArrayLen(len(libs))
	for _, lib := range libs {
		if withCode {
			c.addMapLen(4)
		} else {
			c.addMapLen(3)
		}
		c.addBulkStr("library_name")
		c.addBulkStr(lib.name)
		c.addBulkStr("engine")
		c.addBulkStr("LUA")
		c.addBulkStr("functions")
		c.addArrayLen(len(lib.funcs))
		for _, fn := range lib.funcs {
			c.addMapLen(3)
			c.addBulkStr("name")
			c.addBulkStr(fn.name)
			c.addBulkStr("description")
			if fn.hasD {
				c.addBulkStr(fn.desc)
			} else {
				c.addNull()
			}
			c.addBulkStr("flags")
			c.addScriptFlags(fn.flags)
		}
		if withCode {
			c.addBulkStr("library_code")
			c.addBulkStr(lib.code)
		}
	}
}

func (c *Client) addScriptFlags(flags scriptFlags) {
	var names []string
	for _, f := range scriptFlagNames {
		if flags&f.f != 0 {
			names = append(names, f.name)
		}
	}
	c.addSetLen(len(names))
	for _, n := range names {
		c.addSimple(n)
	}
}

func functionStatsCommand(c *Client) {
	sc := c.srv.scripting
	if run := c.srv.busyScript(); run != nil && !run.function {
		c.addError(busyError(run))
		return
	}
	c.addMapLen(2)
	c.addBulkStr("running_script")
	if run := sc.busy.Load(); run != nil && run.function {
		c.addMapLen(3)
		c.addBulkStr("name")
		c.addBulkStr(run.name)
		c.addBulkStr("command")
		c.addArrayLen(len(run.argv))
		for _, a := range run.argv {
			c.addBulk(a)
		}
		c.addBulkStr("duration_ms")
		c.addInt(time.Since(run.start).Milliseconds())
	} else {
		c.addNull()
	}
	c.addBulkStr("engines")
	c.addMapLen(1)
	c.addBulkStr("LUA")
	c.addMapLen(2)
	sc.mu.Lock()
	libs, funcs := sc.fnLibs, sc.fnFuncs
	sc.mu.Unlock()
	c.addBulkStr("libraries_count")
	c.addInt(int64(libs))
	c.addBulkStr("functions_count")
	c.addInt(int64(funcs))
}

func functionHelpCommand(c *Client) {
	c.addHelp(
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	)
}

func fcallCommand(c *Client)   { fcallGeneric(c, false) }
func fcallRoCommand(c *Client) { fcallGeneric(c, true) }

func fcallGeneric(c *Client, readOnly bool) {
	sc := c.srv.scripting
	fn := sc.fns.funcs[strings.ToLower(string(c.argv[1]))]
	if fn == nil {
		c.addError("ERR Function not found")
		return
	}
	n, ok := resp.ParseInt(c.argv[2])
	if !ok {
		c.addError("ERR Bad number of keys provided")
		return
	}
	if n > int64(len(c.argv)-3) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return
	}
	if n < 0 {
		c.addError("ERR Number of keys can't be negative")
		return
	}
	run := &scriptRun{caller: c, name: fn.name, function: true, argv: copyArgs(c.argv)}
	if !c.prepareScriptRun(run, fn.flags, readOnly) {
		return
	}
	sc.executeFunction(c, run, fn, c.argv[3:3+n], c.argv[3+n:])
}

// prepareScriptRun applies the script flags before a run
// (scriptPrepareForRun) and replies the error when the script may not
// run.
func (c *Client) prepareScriptRun(run *scriptRun, flags scriptFlags, readOnly bool) bool {
	s := c.srv
	oom := s.maxmemory.Load() > 0 && s.usedMemory() > s.maxmemory.Load()
	if flags&scriptFlagEvalCompat == 0 {
		if flags&scriptFlagNoWrites == 0 && readOnly {
			c.addError("ERR Can not execute a script with write flag using *_ro command.")
			return false
		}
		if flags&(scriptFlagAllowOOM|scriptFlagNoWrites) == 0 && oom && !c.mustObey() {
			c.addError("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
			return false
		}
	}
	run.readOnly = readOnly || flags&scriptFlagEvalCompat == 0 && flags&scriptFlagNoWrites != 0
	run.allowOOM = flags&scriptFlagEvalCompat == 0 && flags&scriptFlagAllowOOM != 0
	return true
}

// executeFunction calls a function with its keys and arguments tables.
func (sc *scripting) executeFunction(c *Client, run *scriptRun, fn *luaFunction, keys, args [][]byte) {
	env := sc.fns.env
	sc.execute(c, env, run, func() (lua.LValue, lua.LValue) {
		return env.callFunction(fn.fn, keys, args)
	})
}

// luaErrorObject returns the Lua value of a PCall error, nil if none.
func luaErrorObject(err error) lua.LValue {
	if apiErr, ok := err.(*lua.ApiError); ok {
		return apiErr.Object
	}
	return nil
}

// copyArgs returns a deep copy of argv.
func copyArgs(argv [][]byte) [][]byte {
	out := make([][]byte, len(argv))
	for i, a := range argv {
		out[i] = append([]byte(nil), a...)
	}
	return out
}
