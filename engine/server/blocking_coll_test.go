package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Blocking list and sorted set commands with several concurrent clients.
// Every step waits for observable state (INFO blocked_clients, replies),
// never for time to pass, so the tests are deterministic; run them with
// -count=20 to check.

func arr(elems ...string) string {
	out := "*" + strconv.Itoa(len(elems)) + "\r\n"
	for _, e := range elems {
		out += e
	}
	return out
}

func bulks(s ...string) string {
	out := "*" + strconv.Itoa(len(s)) + "\r\n"
	for _, e := range s {
		out += bulk(e)
	}
	return out
}

// blockIn sends cmd on c and waits until the server counts n blocked
// clients.
func blockIn(t *testing.T, c, probe *rawConn, n int, cmd string) {
	t.Helper()
	c.send([]byte(cmd + "\r\n"))
	waitBlocked(t, probe, n)
}

func TestBlockingListFIFO(t *testing.T) {
	srv := startServer(t)
	p := dial(t, srv.addr())
	var ws []*rawConn
	for i := 0; i < 4; i++ {
		w := dial(t, srv.addr())
		blockIn(t, w, p, i+1, "BLPOP q 0")
		ws = append(ws, w)
	}
	p.mustDo(":3\r\n", "RPUSH", "q", "1", "2", "3")
	for i := 0; i < 3; i++ {
		expectReply(t, ws[i], bulks("q", strconv.Itoa(i+1)))
	}
	waitBlocked(t, p, 1)
	p.mustDo(":0\r\n", "EXISTS", "q")
	p.mustDo(":1\r\n", "LPUSH", "q", "last")
	expectReply(t, ws[3], bulks("q", "last"))
	waitBlocked(t, p, 0)
	p.mustDo(":0\r\n", "EXISTS", "q")
}

func TestBlockingListMultipleKeysAndDirections(t *testing.T) {
	srv := startServer(t)
	p, a, b := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	blockIn(t, a, p, 1, "BLPOP k1 k2 k3 0")
	blockIn(t, b, p, 2, "BRPOP k3 0")
	p.mustDo(":2\r\n", "RPUSH", "k2", "x", "y")
	expectReply(t, a, bulks("k2", "x"))
	expectNothing(t, b, 30*time.Millisecond)
	p.mustDo(":3\r\n", "RPUSH", "k3", "1", "2", "3")
	expectReply(t, b, bulks("k3", "3"))
	waitBlocked(t, p, 0)
	p.mustDo(bulks("1", "2"), "LRANGE", "k3", "0", "-1")
	p.mustDo(bulks("y"), "LRANGE", "k2", "0", "-1")

	// BLMPOP takes up to COUNT elements from the first key that has some.
	blockIn(t, a, p, 1, "BLMPOP 0 2 m1 m2 RIGHT COUNT 2")
	p.mustDo(":3\r\n", "RPUSH", "m2", "a", "b", "c")
	expectReply(t, a, arr(bulk("m2"), bulks("c", "b")))
	waitBlocked(t, p, 0)
}

func TestBlockingListTimeouts(t *testing.T) {
	srv := startServer(t)
	p, a := dial(t, srv.addr()), dial(t, srv.addr())
	for _, cmd := range []string{"BLPOP e 0.05", "BRPOP e1 e2 0.05", "BLMOVE e d LEFT RIGHT 0.05",
		"BRPOPLPUSH e d 0.05", "BLMPOP 0.05 1 e LEFT", "BZPOPMIN e 0.05", "BZMPOP 0.05 1 e MIN"} {
		a.send([]byte(cmd + "\r\n"))
		expectReply(t, a, "*-1\r\n")
	}
	a.do("HELLO", "3")
	a.send([]byte("BLPOP e 0.05\r\n"))
	expectReply(t, a, "_\r\n")
	waitBlocked(t, p, 0)
	p.mustDo(":0\r\n", "EXISTS", "e", "d")
}

func TestBlockingMoveChain(t *testing.T) {
	srv := startServer(t)
	p, a, b, c := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	// a moves src -> mid, b moves mid -> dst, c pops dst: one push wakes
	// all three in turn.
	blockIn(t, a, p, 1, "BLMOVE src mid RIGHT LEFT 0")
	blockIn(t, b, p, 2, "BRPOPLPUSH mid dst 0")
	blockIn(t, c, p, 3, "BLPOP dst 0")
	p.mustDo(":1\r\n", "LPUSH", "src", "v")
	expectReply(t, a, bulk("v"))
	expectReply(t, b, bulk("v"))
	expectReply(t, c, bulks("dst", "v"))
	waitBlocked(t, p, 0)
	p.mustDo(":0\r\n", "EXISTS", "src", "mid", "dst")
}

func TestBlockingListTransactionsAndUnblock(t *testing.T) {
	srv := startServer(t)
	p, a, b := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	// Waiters are served after EXEC, with what the transaction left.
	blockIn(t, a, p, 1, "BLPOP q 0")
	p.mustDo("+OK\r\n", "MULTI")
	p.mustDo("+QUEUED\r\n", "RPUSH", "q", "1", "2")
	p.mustDo("+QUEUED\r\n", "LPOP", "q")
	p.mustDo(arr(":2\r\n", bulk("1")), "EXEC")
	expectReply(t, a, bulks("q", "2"))
	waitBlocked(t, p, 0)

	// A transaction that leaves the list empty wakes nobody.
	blockIn(t, a, p, 1, "BLPOP q 0")
	p.mustDo("+OK\r\n", "MULTI")
	p.mustDo("+QUEUED\r\n", "RPUSH", "q", "1")
	p.mustDo("+QUEUED\r\n", "DEL", "q")
	p.mustDo(arr(":1\r\n", ":1\r\n"), "EXEC")
	expectNothing(t, a, 30*time.Millisecond)

	// CLIENT UNBLOCK: a timeout reply, or an error.
	b.mustDo(":1\r\n", "CLIENT", "UNBLOCK", clientIDOf(t, p, "blpop"))
	expectReply(t, a, "*-1\r\n")
	blockIn(t, a, p, 1, "BRPOPLPUSH x y 0")
	b.mustDo(":1\r\n", "CLIENT", "UNBLOCK", clientIDOf(t, p, "brpoplpush"), "ERROR")
	expectReply(t, a, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	waitBlocked(t, p, 0)
}

// clientIDOf returns the id of the client whose last command is cmd.
func clientIDOf(t *testing.T, probe *rawConn, cmd string) string {
	t.Helper()
	list := probe.do("CLIENT", "LIST")
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, " cmd="+cmd+" ") {
			for _, f := range strings.Fields(line) {
				if id, ok := strings.CutPrefix(f, "id="); ok {
					return id
				}
			}
		}
	}
	t.Fatalf("no client running %s in %q", cmd, list)
	return ""
}

func TestBlockingDisconnectDoesNotLoseElements(t *testing.T) {
	srv := startServer(t)
	p, a, b := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	blockIn(t, a, p, 1, "BLPOP q 0")
	blockIn(t, b, p, 2, "BLPOP q 0")
	a.nc.Close()
	waitBlocked(t, p, 1)
	p.mustDo(":1\r\n", "RPUSH", "q", "only")
	expectReply(t, b, bulks("q", "only"))
	waitBlocked(t, p, 0)
}

func TestBlockingSortedSets(t *testing.T) {
	srv := startServer(t)
	p, a, b := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	blockIn(t, a, p, 1, "BZPOPMIN z1 z2 0")
	blockIn(t, b, p, 2, "BZPOPMAX z2 0")
	p.mustDo(":3\r\n", "ZADD", "z2", "1", "a", "2", "b", "3", "c")
	expectReply(t, a, bulks("z2", "a", "1"))
	expectReply(t, b, bulks("z2", "c", "3"))
	waitBlocked(t, p, 0)
	a.send([]byte("BZMPOP 0 2 z3 z2 MAX COUNT 5\r\n"))
	expectReply(t, a, arr(bulk("z2"), arr(bulks("b", "2"))))
	waitBlocked(t, p, 0)
	p.mustDo(":0\r\n", "EXISTS", "z2")
	blockIn(t, a, p, 1, "BZMPOP 0 1 z4 MIN")
	p.mustDo(":2\r\n", "ZADD", "z4", "5", "x", "-1.5", "y")
	expectReply(t, a, arr(bulk("z4"), arr(bulks("y", "-1.5"))))
	waitBlocked(t, p, 0)
}
