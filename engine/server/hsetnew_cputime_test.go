package server

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
}

func TestHSETNewKeysCPUTime(t *testing.T) {
	if os.Getenv("COLL_CPUTIME") != "1" {
		t.Skip("measurement tool: set COLL_CPUTIME=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := newTestClient(t)
	const n = 50000
	reqs := make([][]byte, n)
	for i := range reqs {
		args := []string{"HSET", "h10:" + strconv.Itoa(i)}
		for f := 1; f <= 10; f++ {
			args = append(args, "f"+strconv.Itoa(f), "xxxxxxxxxx")
		}
		reqs[i] = resp.AppendCommandStrings(nil, args...)
	}
	start := cpuNow()
	for _, r := range reqs {
		c.feed(r)
		c.out = c.out[:0]
	}
	t.Logf("HSET 10 fields, new key: %v/op CPU", (cpuNow()-start)/n)
	start = cpuNow()
	for _, r := range reqs {
		c.feed(r)
		c.out = c.out[:0]
	}
	t.Logf("HSET 10 fields, existing key: %v/op CPU", (cpuNow()-start)/n)
	sadd := make([][]byte, n)
	for i := range sadd {
		sadd[i] = resp.AppendCommandStrings(nil, "SADD", "s100:"+strconv.Itoa(i%100), "m:"+strconv.Itoa(i%1000))
	}
	start = cpuNow()
	for _, r := range sadd {
		c.feed(r)
		c.out = c.out[:0]
	}
	t.Logf("SADD into 100 sets: %v/op CPU", (cpuNow()-start)/n)
}
