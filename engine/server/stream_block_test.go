package server

import (
	"strings"
	"testing"
	"time"
)

func TestXReadBlock(t *testing.T) {
	srv := startServer(t)
	a, b, p := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	p.mustDo(bulk("1-1"), "XADD", "s", "1-1", "f", "old")

	// "$" waits for entries added after the call; two readers both get it.
	a.send([]byte("XREAD BLOCK 0 STREAMS s $\r\nPING\r\n"))
	waitBlocked(t, p, 1)
	b.send([]byte("XREAD BLOCK 0 STREAMS other s 0-0 $\r\n"))
	waitBlocked(t, p, 2)
	expectNothing(t, a, 30*time.Millisecond)
	p.mustDo(bulk("2-1"), "XADD", "s", "2-1", "f", "new")
	want := "*1\r\n*2\r\n" + bulk("s") + "*1\r\n*2\r\n" + bulk("2-1") + "*2\r\n" + bulk("f") + bulk("new")
	expectReply(t, a, want)
	expectReply(t, a, "+PONG\r\n")
	expectReply(t, b, want)
	waitBlocked(t, p, 0)

	// Timeout: a null array.
	a.send([]byte("XREAD BLOCK 20 STREAMS s $\r\n"))
	expectReply(t, a, "*-1\r\n")

	// An XADD inside MULTI wakes the reader after EXEC, with what EXEC left.
	a.send([]byte("XREAD BLOCK 0 STREAMS s $\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo("+OK\r\n", "MULTI")
	p.mustDo("+QUEUED\r\n", "XADD", "s", "3-1", "f", "a")
	p.mustDo("+QUEUED\r\n", "XADD", "s", "3-2", "f", "b")
	p.mustDo("*2\r\n"+bulk("3-1")+bulk("3-2"), "EXEC")
	expectReply(t, a, "*1\r\n*2\r\n"+bulk("s")+"*2\r\n*2\r\n"+bulk("3-1")+"*2\r\n"+bulk("f")+bulk("a")+"*2\r\n"+bulk("3-2")+"*2\r\n"+bulk("f")+bulk("b"))

	// Inside MULTI, BLOCK never blocks.
	a.mustDo("+OK\r\n", "MULTI")
	a.mustDo("+QUEUED\r\n", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	a.mustDo("*1\r\n*-1\r\n", "EXEC")

	// CLIENT UNBLOCK ends it like a timeout.
	a.send([]byte("CLIENT ID\r\n"))
	id, _ := a.read()
	a.send([]byte("XREAD BLOCK 0 STREAMS s $\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo(":1\r\n", "CLIENT", "UNBLOCK", strings.TrimSpace(string(id[1:])))
	expectReply(t, a, "*-1\r\n")
}

func TestXReadGroupBlock(t *testing.T) {
	srv := startServer(t)
	a, b, p := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	p.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")

	// Two consumers wait for ">": the first to block gets the first entry.
	a.send([]byte("XREADGROUP GROUP g alice BLOCK 0 STREAMS s >\r\n"))
	waitBlocked(t, p, 1)
	b.send([]byte("XREADGROUP GROUP g bob BLOCK 0 STREAMS s >\r\n"))
	waitBlocked(t, p, 2)
	p.mustDo(bulk("1-1"), "XADD", "s", "1-1", "f", "v1")
	expectReply(t, a, "*1\r\n*2\r\n"+bulk("s")+"*1\r\n*2\r\n"+bulk("1-1")+"*2\r\n"+bulk("f")+bulk("v1"))
	expectNothing(t, b, 30*time.Millisecond)
	p.mustDo(bulk("1-2"), "XADD", "s", "1-2", "f", "v2")
	expectReply(t, b, "*1\r\n*2\r\n"+bulk("s")+"*1\r\n*2\r\n"+bulk("1-2")+"*2\r\n"+bulk("f")+bulk("v2"))
	p.mustDo("*4\r\n:2\r\n"+bulk("1-1")+bulk("1-2")+"*2\r\n*2\r\n"+bulk("alice")+bulk("1")+"*2\r\n"+bulk("bob")+bulk("1"), "XPENDING", "s", "g")

	// Destroying the group wakes its waiters with NOGROUP.
	a.send([]byte("XREADGROUP GROUP g alice BLOCK 0 STREAMS s >\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo(":1\r\n", "XGROUP", "DESTROY", "s", "g")
	expectReply(t, a, "-NOGROUP the consumer group this client was blocked on no longer exists\r\n")
}
