package server

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// Serving blocked clients atomically with the write that made their keys
// ready. testdata/diff/blocking_serve.txt compares the multi-client cases
// with redis-server; these tests check the same guarantees on both network
// drivers and under concurrency, where a gap would show as stolen,
// duplicated or lost elements.

func serveTestDrivers() []string {
	if runtime.GOOS == "linux" {
		return []string{"epoll", "std"}
	}
	return []string{"std"}
}

func TestServedBeforeNextPipelinedCommand(t *testing.T) {
	for _, driver := range serveTestDrivers() {
		t.Run(driver, func(t *testing.T) {
			srv := startServerOpts(t, Options{Driver: driver})
			p, a, b := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())

			blockIn(t, a, p, 1, "BLPOP l 0")
			b.send(resp.AppendCommandStrings(resp.AppendCommandStrings(nil, "LPUSH", "l", "x"), "LPOP", "l"))
			expectReply(t, b, ":1\r\n")
			expectReply(t, b, "$-1\r\n")
			expectReply(t, a, bulks("l", "x"))

			blockIn(t, a, p, 1, "BZPOPMIN z 0")
			b.send(resp.AppendCommandStrings(resp.AppendCommandStrings(nil, "ZADD", "z", "1", "m"), "ZPOPMIN", "z"))
			expectReply(t, b, ":1\r\n")
			expectReply(t, b, "*0\r\n")
			expectReply(t, a, bulks("z", "m", "1"))

			// A plain XREAD after the XADD sees the entry (reading takes
			// nothing); a consumer of the group reading ">" does not get
			// the entry the blocked consumer was given.
			p.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
			blockIn(t, a, p, 1, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >")
			req := resp.AppendCommandStrings(nil, "XADD", "s", "1-1", "f", "v")
			req = resp.AppendCommandStrings(req, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
			req = resp.AppendCommandStrings(req, "XREAD", "STREAMS", "s", "0")
			b.send(req)
			entry := "*1\r\n*2\r\n" + bulk("s") + "*1\r\n*2\r\n" + bulk("1-1") + "*2\r\n" + bulk("f") + bulk("v")
			expectReply(t, b, bulk("1-1"))
			expectReply(t, b, "*-1\r\n")
			expectReply(t, b, entry)
			expectReply(t, a, entry)
			p.mustDo("*4\r\n:1\r\n"+bulk("1-1")+bulk("1-1")+"*1\r\n"+bulks("alice", "1"), "XPENDING", "s", "g")
			waitBlocked(t, p, 0)
		})
	}
}

// thief pops key in a loop, many LPOPs per write, until stop closes; it
// reports the first element it gets (or I/O error) on stolen.
func thief(t *testing.T, addr, key string, stop <-chan struct{}, stolen chan<- string, wg *sync.WaitGroup) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var req []byte
	for i := 0; i < 16; i++ {
		req = resp.AppendCommandStrings(req, "LPOP", key)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer nc.Close()
		r := bufio.NewReader(nc)
		for {
			select {
			case <-stop:
				return
			default:
			}
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write(req); err != nil {
				stolen <- err.Error()
				return
			}
			for i := 0; i < 16; i++ {
				b, err := resp.ReadReply(r, nil)
				if err != nil || string(b) != "$-1\r\n" {
					stolen <- fmt.Sprintf("%q %v", b, err)
					return
				}
			}
		}
	}()
}

// TestServeIsAtomicAgainstConcurrentClients: with clients blocked on q,
// every element pushed to q goes to one of them, however hard other
// connections pop q at the same time. BLPOP waiters are served under the
// pusher's own shard lock; BLMOVE waiters need their destination's shard
// too, which exercises the marked-key hand-over.
func TestServeIsAtomicAgainstConcurrentClients(t *testing.T) {
	srv := startServer(t)
	p := dial(t, srv.addr())
	const waiters, rounds = 8, 10
	for r := 0; r < 2*rounds; r++ {
		blockCmd := func(int) string { return "BLPOP q 0" }
		if r%2 == 1 {
			blockCmd = func(i int) string { return fmt.Sprintf("BLMOVE q dst:%d RIGHT LEFT 0", i) }
		}
		ws := make([]*rawConn, waiters)
		for i := range ws {
			ws[i] = dial(t, srv.addr())
			blockIn(t, ws[i], p, i+1, blockCmd(i))
		}
		stop := make(chan struct{})
		stolen := make(chan string, 8)
		var wg sync.WaitGroup
		for j := 0; j < 3; j++ {
			thief(t, srv.addr(), "q", stop, stolen, &wg)
		}
		for i := range ws {
			p.mustDo(":1\r\n", "RPUSH", "q", fmt.Sprint("v", i))
		}
		for i, w := range ws {
			want := bulks("q", fmt.Sprint("v", i))
			if strings.HasPrefix(blockCmd(i), "BLMOVE") {
				want = bulk(fmt.Sprint("v", i))
			}
			expectReply(t, w, want)
		}
		close(stop)
		wg.Wait()
		select {
		case s := <-stolen:
			t.Fatalf("%s: another client got %s", blockCmd(0), s)
		default:
		}
		waitBlocked(t, p, 0)
	}
}

// TestServeRacesTimeoutsAndUnblock: waiters with tiny timeouts, CLIENT
// UNBLOCK ERROR fired at random and a pusher all race; every element ends
// up with exactly one waiter or still in the list, and every CLIENT UNBLOCK
// that answered 1 produced exactly one UNBLOCKED error.
func TestServeRacesTimeoutsAndUnblock(t *testing.T) {
	srv := startServer(t)
	p := dial(t, srv.addr())
	const waiters, elems = 6, 400
	var stop atomic.Bool
	var wg sync.WaitGroup
	got := make(chan string, elems)
	failures := make(chan string, waiters+1)
	var unblockedErrors, unblockedOK atomic.Int64
	ids := make([]string, waiters)
	for i := range ids {
		w := dial(t, srv.addr())
		ids[i] = strings.TrimSpace(strings.TrimPrefix(w.do("CLIENT", "ID"), ":"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := resp.AppendCommandStrings(nil, "BLPOP", "q", "0.002")
			for !stop.Load() {
				w.nc.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := w.nc.Write(req); err != nil {
					failures <- err.Error()
					return
				}
				b, err := resp.ReadReply(w.r, nil)
				switch {
				case err != nil:
					failures <- err.Error()
					return
				case string(b) == "*-1\r\n":
				case string(b) == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n":
					unblockedErrors.Add(1)
				case bytes.HasPrefix(b, []byte("*2\r\n$1\r\nq\r\n")):
					got <- string(b[len("*2\r\n$1\r\nq\r\n"):])
				default:
					failures <- fmt.Sprintf("unexpected reply %q", b)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		u, err := net.Dial("tcp", srv.addr())
		if err != nil {
			failures <- err.Error()
			return
		}
		defer u.Close()
		r := bufio.NewReader(u)
		for i := 0; !stop.Load(); i++ {
			u.SetDeadline(time.Now().Add(10 * time.Second))
			u.Write(resp.AppendCommandStrings(nil, "CLIENT", "UNBLOCK", ids[i%waiters], "ERROR"))
			b, err := resp.ReadReply(r, nil)
			if err != nil {
				failures <- err.Error()
				return
			}
			if string(b) == ":1\r\n" {
				unblockedOK.Add(1)
			}
		}
	}()
	pushed := map[string]bool{}
	for k := 0; k < elems; k++ {
		v := fmt.Sprint("e", k)
		pushed[bulk(v)] = true
		p.do("RPUSH", "q", v)
	}
	stop.Store(true)
	wg.Wait()
	close(got)
	close(failures)
	for f := range failures {
		t.Fatal(f)
	}
	left := p.do("LRANGE", "q", "0", "-1")
	seen := map[string]bool{}
	for e := range got {
		if seen[e] || !pushed[e] {
			t.Fatalf("element %q served twice or never pushed", e)
		}
		seen[e] = true
	}
	rest := strings.SplitAfterN(left, "\r\n", 2)[1]
	for len(rest) > 0 {
		e := strings.SplitAfterN(rest, "\r\n", 3)
		el := e[0] + e[1]
		if seen[el] {
			t.Fatalf("element %q both served and left in the list", el)
		}
		seen[el] = true
		rest = e[2]
	}
	if len(seen) != elems {
		t.Fatalf("%d of %d elements accounted for", len(seen), elems)
	}
	if unblockedOK.Load() != unblockedErrors.Load() {
		t.Fatalf("CLIENT UNBLOCK answered 1 %d times, waiters got %d UNBLOCKED errors", unblockedOK.Load(), unblockedErrors.Load())
	}
	waitBlocked(t, p, 0)
}

var unixMs = regexp.MustCompile(`\$13\r\n[0-9]{13}\r\n`)

// TestServedCommandsPropagateLikeRedis runs blocking commands served by
// other clients' writes on the engine and on redis-server with the AOF on
// and compares the files: a served pop is logged as LPOP/RPOP/ZPOPMIN...,
// BLMOVE as LMOVE, XREADGROUP's delivery as XCLAIM, right after the write.
func TestServedCommandsPropagateLikeRedis(t *testing.T) {
	refDir, engDir := t.TempDir(), t.TempDir()
	aof := []string{"--appendonly", "yes", "--appendfsync", "always"}
	refAddr := startRedis(t, append([]string{"--dir", refDir}, aof...)...)
	eng, _ := runServer(t, engDir, aof...)
	for _, addr := range []string{refAddr, eng.addr()} {
		p, a, b := dial(t, addr), dial(t, addr), dial(t, addr)
		for _, step := range []struct{ block, push string }{
			{"BLPOP l1 0", "RPUSH l1 a b"},
			{"BRPOP l2 0", "RPUSH l2 a b"},
			{"BLMPOP 0 1 l3 RIGHT COUNT 2", "RPUSH l3 a b c"},
			{"BLMOVE l4 d4 LEFT RIGHT 0", "RPUSH l4 a b"},
			{"BRPOPLPUSH l5 d5 0", "RPUSH l5 a"},
			{"BZPOPMIN z1 0", "ZADD z1 1 a 2 b"},
			{"BZMPOP 0 1 z2 MAX COUNT 2", "ZADD z2 1 a 2 b 3 c"},
			{"XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >", "XADD s 1-1 f v"},
		} {
			if strings.HasPrefix(step.block, "XREADGROUP") {
				p.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
			}
			blockIn(t, a, p, 1, step.block)
			b.do(strings.Fields(step.push)...)
			if _, err := a.read(); err != nil {
				t.Fatal(err)
			}
		}
		p.mustDo("+OK\r\n", "SET", "done", "1")
	}
	// XCLAIM's TIME argument is a unix time in milliseconds.
	read := func(dir string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
		return unixMs.ReplaceAllString(string(b), "$$13\r\n<ms>\r\n")
	}
	for i := 0; ; i++ {
		want, got := read(refDir), read(engDir)
		if want == got && strings.Contains(want, "done") {
			return
		}
		if i == 200 {
			t.Fatalf("AOF differs\nredis:  %q\nengine: %q", want, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
