package server

import (
	"runtime"
	"time"
)

// Taking the server lock while scripts may run. A script holds the
// server's lock exclusively for as long as it runs, so a command never
// waits on the lock blindly: it waits for the script to end, and once the
// script has run past busy-reply-threshold it gets BUSY instead, or runs
// without the lock if it is a keyless allow_busy command (SCRIPT KILL,
// FUNCTION KILL/STATS, MULTI, AUTH...). This keeps every event loop
// responsive to SCRIPT KILL.

type worldLock int

const (
	worldLocked   worldLock = iota // the lock is held (shared or exclusive)
	worldLockFree                  // run without the lock: a script is busy
	worldBusy                      // BUSY was replied
)

// acquireWorld takes the server lock for cmd, shared or exclusive.
func (s *Server) acquireWorld(c *Client, cmd *Command, exclusive bool) worldLock {
	try := s.world.TryRLock
	if exclusive {
		try = s.world.TryLock
	}
	for spins := 0; ; spins++ {
		if try() {
			return worldLocked
		}
		run := s.scripting.busy.Load()
		if run == nil {
			// Another exclusive command (EXEC, FLUSHALL...): they are short.
			if spins < 64 {
				runtime.Gosched()
			} else {
				time.Sleep(20 * time.Microsecond)
			}
			continue
		}
		if s.busyScript() == nil && spins < 32 {
			runtime.Gosched() // most scripts take microseconds
			continue
		}
		if s.busyScript() == nil {
			// Wait for the script to end, or for its hook to declare it
			// busy (checked again at least every millisecond).
			wait := max(s.busyThreshold()-time.Since(run.start), time.Millisecond)
			done := run.wait()
			if done == nil {
				continue
			}
			t := time.NewTimer(wait)
			select {
			case <-done:
				t.Stop()
				continue
			case <-t.C:
			}
			if s.busyScript() == nil {
				continue
			}
		}
		if cmd.flags&FlagAllowBusy != 0 && len(cmd.Keys) == 0 && !exclusive {
			return worldLockFree
		}
		c.reject(busyError(run))
		return worldBusy
	}
}

// serveWhileBusy lets the event loop running a busy script serve its other
// connections (their BUSY replies, SCRIPT KILL), when the network driver
// can.
func (sc *scripting) serveWhileBusy(run *scriptRun) {
	if sc.polling {
		return
	}
	p, ok := run.caller.conn.(interface{ serveWhileBusy() })
	if !ok {
		return
	}
	sc.polling = true
	p.serveWhileBusy()
	sc.polling = false
}
