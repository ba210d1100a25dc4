package server

import (
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
)

// Test-only commands exercising the blocking machinery the way BLPOP-like
// commands use it: TESTBPOP key timeout takes a string key (deleting it)
// or blocks; TESTPUSH key value stores it and signals the key ready.
func blockingTestCommands() []*Command {
	return []*Command{
		{Name: "testbpop", Arity: 3, Flags: "write blocking", Keys: one("RW", 1), Handler: func(c *Client) {
			timeout, ok := c.parseTimeout(c.argv[2], true)
			if !ok {
				return
			}
			key := c.argv[1]
			e := c.db.Lookup(key, c.now, 0)
			if e.Exists() {
				c.addBulk(append([]byte(nil), e.Bytes(nil)...))
				c.db.Delete(key, c.now)
				c.modified(key)
				return
			}
			if !c.mayBlock() {
				c.addNullArray()
				return
			}
			c.blockOnKeys([][]byte{key}, timeout, func(c *Client) { c.addNullArray() })
		}},
		{Name: "testpush", Arity: 3, Flags: "write", Keys: one("RW", 1), Handler: func(c *Client) {
			c.db.SetString(c.argv[1], c.argv[2], keyspace.SetOpts{})
			c.modified(c.argv[1])
			c.notify(config.NotifyString, "set", c.argv[1])
			c.keyReady(c.argv[1])
			c.addOK()
		}},
	}
}

func startBlockingServer(t *testing.T) *Server {
	return startServerOpts(t, Options{ExtraCommands: blockingTestCommands()})
}

// expectReply reads one reply, failing on timeout or mismatch.
func expectReply(t *testing.T, c *rawConn, want string) {
	t.Helper()
	got, err := c.read()
	if err != nil || string(got) != want {
		t.Fatalf("reply = %q, %v; want %q", got, err, want)
	}
}

// expectNothing checks no reply arrives within d.
func expectNothing(t *testing.T, c *rawConn, d time.Duration) {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(d))
	if b, err := c.r.Peek(1); err == nil {
		t.Fatalf("unexpected reply starting %q", b)
	}
}

func TestBlockingFIFOAndWakeup(t *testing.T) {
	srv := startBlockingServer(t)
	a, b, p := dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())
	a.send([]byte("TESTBPOP q 0\r\nPING\r\n"))
	waitBlocked(t, p, 1)
	b.send([]byte("TESTBPOP q 0\r\n"))
	waitBlocked(t, p, 2)
	expectNothing(t, a, 50*time.Millisecond)
	p.mustDo("+OK\r\n", "TESTPUSH", "q", "first")
	expectReply(t, a, bulk("first"))
	expectReply(t, a, "+PONG\r\n") // the command held back while blocked runs after
	expectNothing(t, b, 50*time.Millisecond)
	p.mustDo("+OK\r\n", "TESTPUSH", "q", "second")
	expectReply(t, b, bulk("second"))
	waitBlocked(t, p, 0)
	p.mustDo(":0\r\n", "EXISTS", "q")
}

func TestBlockingTimeoutAndUnblock(t *testing.T) {
	srv := startBlockingServer(t)
	a, p := dial(t, srv.addr()), dial(t, srv.addr())
	start := time.Now()
	a.send([]byte("TESTBPOP q 0.2\r\n"))
	expectReply(t, a, "*-1\r\n")
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Fatalf("timeout after %v, want about 200ms", d)
	}
	a.mustDo(":1\r\n", "CLIENT", "ID")
	a.send([]byte("TESTBPOP q 0\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo(":1\r\n", "CLIENT", "UNBLOCK", "1")
	expectReply(t, a, "*-1\r\n")
	a.send([]byte("TESTBPOP q 0\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo(":1\r\n", "CLIENT", "UNBLOCK", "1", "ERROR")
	expectReply(t, a, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	p.mustDo(":0\r\n", "CLIENT", "UNBLOCK", "1")
	// Inside MULTI a blocking command does not block.
	a.mustDo("+OK\r\n", "MULTI")
	a.mustDo("+QUEUED\r\n", "TESTBPOP", "q", "0")
	a.mustDo("*1\r\n*-1\r\n", "EXEC")
	// A client that disconnects while blocked leaves the queue.
	c := dial(t, srv.addr())
	c.send([]byte("TESTBPOP q 0\r\n"))
	waitBlocked(t, p, 1)
	c.nc.Close()
	waitBlocked(t, p, 0)
}

func TestWaitAndPause(t *testing.T) {
	srv := startServer(t)
	a, p := dial(t, srv.addr()), dial(t, srv.addr())
	a.mustDo(":0\r\n", "WAIT", "0", "0")
	start := time.Now()
	a.mustDo(":0\r\n", "WAIT", "1", "100")
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("WAIT returned after %v", d)
	}
	p.mustDo("+OK\r\n", "CLIENT", "PAUSE", "300", "WRITE")
	a.mustDo("$-1\r\n", "GET", "nokey") // reads still run
	start = time.Now()
	a.send([]byte("SET k v\r\n"))
	expectReply(t, a, "+OK\r\n")
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("paused write ran after %v", d)
	}
	p.mustDo("+OK\r\n", "CLIENT", "PAUSE", "10000", "ALL")
	a.send([]byte("GET k\r\n"))
	expectNothing(t, a, 100*time.Millisecond)
	srv.unpauseClients()
	expectReply(t, a, bulk("v"))
}

// waitBlocked polls INFO until blocked_clients is n.
func waitBlocked(t *testing.T, c *rawConn, n int) {
	t.Helper()
	want := "blocked_clients:" + itoa(int64(n)) + "\r\n"
	for i := 0; i < 200; i++ {
		if strings.Contains(c.do("INFO", "clients"), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("blocked_clients never reached %d", n)
}

// TestSwapDBWakesBlockedClients: a client blocked on a key in one database
// is served when SWAPDB brings that key in.
func TestSwapDBWakesBlockedClients(t *testing.T) {
	srv := startBlockingServer(t)
	a, p := dial(t, srv.addr()), dial(t, srv.addr())
	a.mustDo("+OK\r\n", "SELECT", "1")
	a.send([]byte("TESTBPOP q 0\r\n"))
	waitBlocked(t, p, 1)
	p.mustDo("+OK\r\n", "SET", "q", "from-db0")
	p.mustDo("+OK\r\n", "SWAPDB", "0", "1")
	expectReply(t, a, bulk("from-db0"))
}
