package server

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/redisctl/redisctl/engine/resp"
)

// Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis's
// eval.c and script_lua.c). Scripts run on one Lua 5.1 VM (gopher-lua)
// under the server's exclusive lock, so a script is atomic and never
// interleaves with other commands; its redis.call()s go through the same
// command table and checks as clients' commands, on a script client, and
// their effects are propagated as those commands, wrapped in MULTI/EXEC.
// Functions (FUNCTION, FCALL) are in function.go, the redis.* API in
// script_api.go, value conversions in script_conv.go, time limits and
// SCRIPT KILL in script_busy.go.

func scriptingCommands() []*Command {
	const keysNote = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
	const roNote = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
	rwKeys := []KeySpec{{Notes: keysNote, Flags: "RW access update", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}
	roKeys := []KeySpec{{Notes: roNote, Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}
	shaKeys := []KeySpec{{Flags: "RW access update", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}
	shaROKeys := []KeySpec{{Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}
	const flags = "noscript stale skip_monitor no_mandatory_keys movablekeys exclusive"
	return []*Command{
		{Name: "eval", Arity: -3, Flags: flags, ACL: "@slow @scripting", Keys: rwKeys, Handler: evalCommand,
			Group: "scripting", Since: "2.6.0", Summary: "Execute a Lua script server side", Complexity: "Depends on the script that is executed."},
		{Name: "evalsha", Arity: -3, Flags: flags, ACL: "@slow @scripting", Keys: shaKeys, Handler: evalshaCommand,
			Group: "scripting", Since: "2.6.0", Summary: "Execute a Lua script server side", Complexity: "Depends on the script that is executed."},
		{Name: "eval_ro", Arity: -3, Flags: "readonly " + flags, ACL: "@slow @scripting", Keys: roKeys, Handler: evalRoCommand,
			Group: "scripting", Since: "7.0.0", Summary: "Execute a read-only Lua script server side", Complexity: "Depends on the script that is executed."},
		{Name: "evalsha_ro", Arity: -3, Flags: "readonly " + flags, ACL: "@slow @scripting", Keys: shaROKeys, Handler: evalshaRoCommand,
			Group: "scripting", Since: "7.0.0", Summary: "Execute a read-only Lua script server side", Complexity: "Depends on the script that is executed."},
		{Name: "script", Arity: -2, Flags: "", ACL: "@slow",
			Group: "scripting", Since: "2.6.0", Summary: "A container for Lua scripts management commands", Complexity: "Depends on subcommand.",
			Sub: []*Command{
				{Name: "debug", Arity: 3, Flags: "noscript", ACL: "@slow @scripting", Handler: scriptDebugCommand,
					Group: "scripting", Since: "3.2.0", Summary: "Set the debug mode for executed scripts.", Complexity: "O(1)"},
				{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow @scripting", Handler: scriptHelpCommand,
					Group: "scripting", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
				{Name: "exists", Arity: -3, Flags: "noscript", ACL: "@slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:agg_logical_and"}, Handler: scriptExistsCommand,
					Group: "scripting", Since: "2.6.0", Summary: "Check existence of scripts in the script cache.", Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."},
				{Name: "kill", Arity: 2, Flags: "noscript allow_busy", ACL: "@slow @scripting", Tips: []string{"request_policy:all_shards", "response_policy:one_succeeded"}, Handler: scriptKillCommand,
					Group: "scripting", Since: "2.6.0", Summary: "Kill the script currently in execution.", Complexity: "O(1)"},
				{Name: "load", Arity: 3, Flags: "noscript stale exclusive", ACL: "@slow @scripting", Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}, Handler: scriptLoadCommand,
					Group: "scripting", Since: "2.6.0", Summary: "Load the specified Lua script into the script cache.", Complexity: "O(N) with N being the length in bytes of the script body."},
				{Name: "flush", Arity: -2, Flags: "noscript exclusive", ACL: "@slow @scripting", Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}, Handler: scriptFlushCommand,
					Group: "scripting", Since: "2.6.0", Summary: "Remove all the scripts from the script cache.", Complexity: "O(N) with N being the number of scripts in cache"},
			}},
	}
}

// scripting is the server's Lua engine. Everything in it but the fields
// marked otherwise is used with the server's exclusive lock held.
type scripting struct {
	srv  *Server
	eval *luaEnv // EVAL's interpreter
	fns  *functions

	mu      sync.Mutex // guards scripts for readers without the exclusive lock (INFO)
	scripts map[string]*evalScript
	bodies  int64 // bytes of the scripts' bodies (used_memory_scripts)

	client *Client    // runs the scripts' redis.call()s
	run    *scriptRun // the running script, nil when idle
	busy   atomic.Pointer[scriptRun]
	// denyOff lets scripts call noscript commands (DEBUG
	// SET-DISABLE-DENY-SCRIPTS, for tests).
	denyOff atomic.Bool
	rand    drand48

	fnLibs, fnFuncs int      // library and function counts, for FUNCTION STATS (under mu)
	polling         bool     // serving other clients from inside a busy script
	libCodes        [][]byte // function libraries' code, for snapshots (under mu)
}

// evalScript is a cached EVAL script, compiled once.
type evalScript struct {
	sha   string
	body  string
	fn    *lua.LFunction
	flags scriptFlags
}

// scriptRun is one script execution.
type scriptRun struct {
	caller   *Client
	argv     [][]byte // the command, for FUNCTION STATS
	name     string   // the SHA, or the function's name
	function bool
	readOnly bool // EVAL_RO, FCALL_RO or a no-writes function
	allowOOM bool
	oom      bool // memory was over maxmemory when the script started
	start    time.Time
	resp     int // redis.setresp()
	repl     int // redis.set_repl()
	wrote    bool
	effects  bool     // propagators want the script's writes
	writes   []propOp // commands to propagate

	killed   atomic.Bool // SCRIPT/FUNCTION KILL
	timedOut atomic.Bool // ran past busy-reply-threshold
	finished atomic.Bool
	doneCh   atomic.Pointer[chan struct{}] // made by the first waiter
	hook     func(db int, argv [][]byte)   // the script client's propHook
}

// wait returns a channel closed when the script ends (nil if it has).
// Channels are made only when someone waits: most scripts end before
// anyone does.
func (r *scriptRun) wait() <-chan struct{} {
	ch := r.doneCh.Load()
	if ch == nil {
		c := make(chan struct{})
		if !r.doneCh.CompareAndSwap(nil, &c) {
			ch = r.doneCh.Load()
		} else {
			ch = &c
		}
	}
	if r.finished.Load() {
		return nil
	}
	return *ch
}

// end marks the script finished and wakes its waiters.
func (r *scriptRun) end() {
	r.finished.Store(true)
	if ch := r.doneCh.Swap(nil); ch != nil {
		close(*ch)
	}
}

func (s *Server) initScripting() {
	sc := &scripting{srv: s, scripts: map[string]*evalScript{}}
	sc.client = &Client{srv: s, id: -1, proto: 2, authed: true}
	sc.client.multiCount.Store(-1)
	sc.eval = newLuaEnv(sc, false)
	sc.fns = newFunctions(sc)
	sc.rand.x = drand48Initial
	s.scripting = sc
}

// sha1hex is Redis's sha1hex: lower-case hex SHA1.
func sha1hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// lookup returns the cached script with this SHA (case-insensitive).
func (sc *scripting) lookup(sha []byte) *evalScript {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if s := sc.scripts[string(sha)]; s != nil {
		return s
	}
	return sc.scripts[strings.ToLower(string(sha))]
}

// load compiles and caches body, returning its script; err is Redis's
// reply for a compile error.
func (sc *scripting) load(body []byte) (*evalScript, string) {
	sha := sha1hex(body)
	if s := sc.lookup([]byte(sha)); s != nil {
		return s, ""
	}
	flags, shebangLen, serr := evalShebangFlags(body)
	if serr != "" {
		return nil, "ERR " + serr
	}
	fn, err := sc.eval.compile(body[shebangLen:], "@user_script")
	if err != "" {
		return nil, "ERR Error compiling script (new function): " + err
	}
	s := &evalScript{sha: sha, body: string(body), fn: fn, flags: flags}
	sc.mu.Lock()
	sc.scripts[sha] = s
	sc.bodies += int64(len(body))
	sc.mu.Unlock()
	return s, ""
}

func evalCommand(c *Client)      { evalGeneric(c, false, false) }
func evalshaCommand(c *Client)   { evalGeneric(c, true, false) }
func evalRoCommand(c *Client)    { evalGeneric(c, false, true) }
func evalshaRoCommand(c *Client) { evalGeneric(c, true, true) }

// scriptDebugCommand is SCRIPT DEBUG: the Lua debugger (LDB) is not
// provided, so only NO (its default) succeeds.
func scriptDebugCommand(c *Client) {
	switch {
	case argIs(c.argv[2], "no"):
		c.addOK()
	case argIs(c.argv[2], "yes"), argIs(c.argv[2], "sync"):
		c.addError("ERR the Lua debugger (SCRIPT DEBUG YES/SYNC) is not available in this server")
	default:
		c.addError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

// parseScriptNumKeys parses numkeys at argv[2] and returns it; the keys are
// argv[3:3+n] and the arguments the rest.
func (c *Client) parseScriptNumKeys() (int, bool) {
	n, ok := c.argInt(2)
	if !ok {
		return 0, false
	}
	if n > int64(len(c.argv)-3) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return 0, false
	}
	if n < 0 {
		c.addError("ERR Number of keys can't be negative")
		return 0, false
	}
	return int(n), true
}

func evalGeneric(c *Client, bySHA, readOnly bool) {
	sc := c.srv.scripting
	numKeys, ok := c.parseScriptNumKeys()
	if !ok {
		return
	}
	var script *evalScript
	if bySHA {
		if len(c.argv[1]) == 40 {
			script = sc.lookup(c.argv[1])
		}
		if script == nil {
			c.addError("NOSCRIPT No matching script. Please use EVAL.")
			return
		}
	} else {
		var err string
		if script, err = sc.load(c.argv[1]); script == nil {
			c.addError(err)
			return
		}
	}
	run := &scriptRun{caller: c, name: script.sha}
	if !c.prepareScriptRun(run, script.flags, readOnly) {
		return
	}
	env := sc.eval
	keys, args := c.argv[3:3+numKeys], c.argv[3+numKeys:]
	sc.execute(c, env, run, func() (lua.LValue, lua.LValue) { return env.call(script.fn, keys, args) })
}

// evalShebangFlags reads an EVAL script's "#!lua flags=..." line: its
// flags (eval-compatibility mode without one) and length.
func evalShebangFlags(body []byte) (scriptFlags, int, string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return scriptFlagEvalCompat, 0, ""
	}
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts, ok := resp.SplitArgs(body[:nl], nil)
	if !ok || len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if string(parts[0]) != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + string(parts[0])
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		if !bytes.HasPrefix(p, []byte("flags=")) {
			return 0, 0, "Unknown lua shebang option: " + string(p)
		}
		if len(p) == 6 {
			continue // "flags=" alone: no flags, as sdssplitlen splits "" into nothing
		}
		for _, name := range strings.Split(string(p[6:]), ",") {
			f, ok := parseScriptFlag(name)
			if !ok {
				return 0, 0, "Unexpected flag in script shebang: " + name
			}
			flags |= f
		}
	}
	return flags, nl, ""
}

// execute runs a script for caller (call runs it in env) and writes its
// reply.
func (sc *scripting) execute(c *Client, env *luaEnv, run *scriptRun, call func() (lua.LValue, lua.LValue)) {
	s := sc.srv
	run.start = time.Now()
	run.resp = 2
	run.repl = replAll
	run.effects = s.effectsWanted()
	run.hook = run.discard
	if run.effects {
		run.hook = run.capture
	}
	run.oom = s.maxmemory.Load() > 0 && s.usedMemory() > s.maxmemory.Load()

	cl := sc.client
	cl.db = c.db
	cl.proto = 2
	cl.stats = c.stats
	cl.flags = 0
	cl.out = cl.out[:0]
	cl.readyKeys = cl.readyKeys[:0]
	prevOwner := s.exclusiveOwner.Swap(cl)
	sc.run = run
	sc.busy.Store(run)
	env.arm(run)

	reply, errObj := call()

	env.disarm()
	sc.busy.Store(nil)
	run.end()
	sc.run = nil
	s.exclusiveOwner.Store(prevOwner)
	c.readyKeys = append(c.readyKeys, cl.readyKeys...)
	cl.readyKeys = cl.readyKeys[:0]
	if len(cl.out) > 64*1024 {
		cl.out = nil
	}
	sc.flushEffects(c, run)
	if errObj != nil {
		c.addScriptError(run, errObj)
		return
	}
	c.addLuaReply(reply, run.resp)
	env.L.SetTop(0)
}

// flushEffects propagates the script's writes: alone, or wrapped in
// MULTI/EXEC when there are several; inside a transaction they join the
// transaction's.
func (sc *scripting) flushEffects(c *Client, run *scriptRun) {
	if c.propHook != nil {
		for _, op := range run.writes {
			c.propHook(op.db, op.argv)
		}
		return
	}
	sc.srv.propagateOps(run.writes)
}

// SCRIPT subcommands.

func scriptHelpCommand(c *Client) {
	c.addHelp(
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	)
}

func scriptLoadCommand(c *Client) {
	s, err := c.srv.scripting.load(c.argv[2])
	if s == nil {
		c.addError(err)
		return
	}
	c.addBulkStr(s.sha)
}

func scriptExistsCommand(c *Client) {
	sc := c.srv.scripting
	c.addArrayLen(len(c.argv) - 2)
	for _, a := range c.argv[2:] {
		if sc.lookup(a) != nil {
			c.addInt(1)
		} else {
			c.addInt(0)
		}
	}
}

func scriptFlushCommand(c *Client) {
	if len(c.argv) > 3 || len(c.argv) == 3 && !argIs(c.argv[2], "sync") && !argIs(c.argv[2], "async") {
		c.addError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	sc := c.srv.scripting
	sc.mu.Lock()
	sc.scripts = map[string]*evalScript{}
	sc.bodies = 0
	sc.mu.Unlock()
	sc.eval.close()
	sc.eval = newLuaEnv(sc, false)
	c.addOK()
}

// scriptingInfo is what INFO memory reports about scripting.
type scriptingInfo struct {
	scripts, functions, libraries int64
	vmEval, vmFunctions           int64 // the interpreters' memory (estimated)
	scriptsEval, functionsMem     int64
}

// Estimates of what Redis accounts: an interpreter's base heap, and the
// bookkeeping of a cached script and of the functions engine.
const (
	luaBaseHeap        = 31744
	luaFunctionsHeap   = 33792
	scriptEntryMem     = 128
	functionsCtxMem    = 200
	functionLibraryMem = 160
)

func (sc *scripting) info() scriptingInfo {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var code int64
	for _, c := range sc.libCodes {
		code += int64(len(c))
	}
	n := int64(len(sc.scripts))
	return scriptingInfo{
		scripts: n, functions: int64(sc.fnFuncs), libraries: int64(sc.fnLibs),
		vmEval: luaBaseHeap + 2*sc.bodies, vmFunctions: luaFunctionsHeap + 2*code,
		scriptsEval:  sc.bodies + n*scriptEntryMem,
		functionsMem: functionsCtxMem + code + int64(len(sc.libCodes))*functionLibraryMem,
	}
}
