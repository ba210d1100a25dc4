package server

import (
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// TestLoopRebalance moves connections between event loops while they are
// in use (one blocked, one subscribed, one mid-command) and checks they
// keep working, with the loops switching between blocking in epoll_wait
// (gathered) and parking in the netpoller (spread) as they go.
func TestLoopRebalance(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: moves connections between loops")
	}
	srv := startServerOpts(t, Options{Driver: "epoll", ExtraCommands: blockingTestCommands()})
	d, ok := srv.driver.(*epollDriver)
	if !ok || len(d.loops) < 2 {
		t.Skip("needs the epoll driver with two loops (GOMAXPROCS >= 2)")
	}
	plain, blocked, sub, half, pub := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	plain.mustDo("+PONG\r\n", "PING")
	blocked.send([]byte("TESTBPOP q 0\r\n"))
	sub.send(resp.AppendCommandStrings(nil, "SUBSCRIBE", "ch"))
	expectReply(t, sub, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	half.send([]byte("*2\r\n$4\r\nECHO\r\n$5\r\nhel"))
	waitBlocked(t, pub, 1)
	counts := func() (int32, int32) { return d.loops[0].nconns.Load(), d.loops[1].nconns.Load() }
	for round := 0; round < 4; round++ {
		from, to := d.loops[round%2], d.loops[(round+1)%2]
		d.bal.spread.Store(round%2 == 0)
		before := from.nconns.Load()
		from.requestMove(to, int(before))
		deadline := time.Now().Add(5 * time.Second)
		for from.nconns.Load() != 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		a, b := counts()
		if from.nconns.Load() != 0 {
			t.Fatalf("round %d: loops hold %d and %d connections", round, a, b)
		}
		plain.mustDo("+PONG\r\n", "PING")
	}
	half.send([]byte("lo\r\n"))
	expectReply(t, half, bulk("hello"))
	pub.mustDo(":1\r\n", "PUBLISH", "ch", "after")
	expectReply(t, sub, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nafter\r\n")
	pub.mustDo("+OK\r\n", "TESTPUSH", "q", "v")
	expectReply(t, blocked, bulk("v"))
}
