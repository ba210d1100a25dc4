package server

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestCollectionsCPUTime reports the CPU time (not wall time, which a
// shared machine makes meaningless) per command of the collection
// benchmarks. It only runs with COLL_CPUTIME=1.
func TestCollectionsCPUTime(t *testing.T) {
	if os.Getenv("COLL_CPUTIME") != "1" {
		t.Skip("measurement tool: set COLL_CPUTIME=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, bc := range collBenches() {
		c, req := bc.start(t)
		best := time.Duration(1 << 62)
		for round := 0; round < 5; round++ {
			const n = 20000
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_THREAD, &ru0)
			for i := 0; i < n; i++ {
				c.feed(req)
				c.out = c.out[:0]
			}
			syscall.Getrusage(syscall.RUSAGE_THREAD, &ru1)
			d := time.Duration(syscall.TimevalToNsec(ru1.Utime)-syscall.TimevalToNsec(ru0.Utime)+
				syscall.TimevalToNsec(ru1.Stime)-syscall.TimevalToNsec(ru0.Stime)) / n
			best = min(best, d)
		}
		t.Logf("%-16s %8v/op (CPU)", bc.name, best)
	}
}
