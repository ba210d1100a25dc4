package server

import (
	"math"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Long-running scripts. A script holds the server's exclusive lock for as
// long as it runs. Once it has run for busy-reply-threshold (lua-time-limit)
// other clients get a BUSY error instead of waiting (see busyReply), and
// SCRIPT KILL / FUNCTION KILL, which need no lock, can stop it: the VM's
// count hook raises an error in the script at its next check.

// scriptHookEvery is how many VM instructions run between checks.
const scriptHookEvery = 100000

// hook runs inside the VM every scriptHookEvery instructions.
func (sc *scripting) hook(L *lua.LState) {
	run := sc.run
	if run == nil {
		return
	}
	if !run.timedOut.Load() && time.Since(run.start) >= sc.srv.busyThreshold() {
		run.timedOut.Store(true)
		what := "Lua slow script detected: still in execution after %d milliseconds. You can try killing the script using the SCRIPT KILL command. Script name is: %s."
		if run.function {
			what = "Lua slow script detected: still in execution after %d milliseconds. You can try killing the script using the FUNCTION KILL command. Script name is: %s."
		}
		sc.srv.logf(levelWarning, what, time.Since(run.start).Milliseconds(), run.name)
	}
	if run.timedOut.Load() {
		sc.serveWhileBusy(run)
	}
	if run.killed.Load() {
		sc.srv.logf(levelWarning, "Lua script killed by user with SCRIPT KILL.")
		// Check at every instruction from now on, so that a pcall in the
		// script cannot swallow the kill.
		L.SetHook(sc.hook, 1)
		raiseErrorTable(L, "Script killed by user with SCRIPT KILL...")
	}
}

// busyThreshold is busy-reply-threshold.
func (s *Server) busyThreshold() time.Duration {
	return time.Duration(s.cfg.Int("busy-reply-threshold")) * time.Millisecond
}

// busyScript returns the running script once it has run past
// busy-reply-threshold, else nil. It needs no lock. As in Redis, the
// script's count hook is what notices the threshold (every
// scriptHookEvery instructions), so checking costs no clock reading.
func (s *Server) busyScript() *scriptRun {
	if s.scripting == nil {
		return nil
	}
	run := s.scripting.busy.Load()
	if run == nil || !run.timedOut.Load() {
		return nil
	}
	return run
}

// busyError is the reply other commands get while run is busy.
func busyError(run *scriptRun) string {
	if run.function {
		return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	}
	return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
}

func scriptKillCommand(c *Client)   { scriptKill(c, false) }
func functionKillCommand(c *Client) { scriptKill(c, true) }

// scriptKill stops the running script (SCRIPT KILL) or function
// (FUNCTION KILL), unless it already wrote.
func scriptKill(c *Client, function bool) {
	run := c.srv.scripting.busy.Load()
	switch {
	case run == nil:
		c.addError("NOTBUSY No scripts in execution right now.")
	case run.wrote:
		c.addError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	case run.function != function:
		c.addError(busyError(run))
	default:
		run.killed.Store(true)
		c.addOK()
	}
}

// abort stops the running script whatever it did (shutdown).
func (sc *scripting) abort() {
	if run := sc.busy.Load(); run != nil {
		run.killed.Store(true)
	}
}

// drand48 is Redis's redisLrand48/redisSrand48, behind math.random: a
// 48-bit linear congruential generator shared by all scripts.
type drand48 struct{ x uint64 }

// drand48Initial is the generator's state before any seeding.
const drand48Initial = 0x1234ABCD330E

func (r *drand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

// mathRandom is Redis's redis_math_random.
func (sc *scripting) mathRandom(L *lua.LState) int {
	const max = math.MaxInt32
	r := float64(sc.rand.next()%max) / max
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := L.CheckInt(1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := L.CheckInt(1)
		u := L.CheckInt(2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (sc *scripting) mathRandomSeed(L *lua.LState) int {
	s := int32(L.CheckInt(1))
	sc.rand.x = uint64(uint32(s))<<16 | 0x330E // srand48
	return 0
}
