package server

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// expectClosed checks the server closes c (after any replies).
func expectClosed(t *testing.T, c *rawConn) {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(c.r); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("connection not closed: %v", err)
	}
}

func TestProtoMaxBulkLen(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "1mb")
	c.send([]byte("*2\r\n$4\r\nECHO\r\n$1048577\r\n"))
	expectReply(t, c, "-ERR Protocol error: invalid bulk length\r\n")
	expectClosed(t, c)
	c2 := dial(t, srv.addr())
	big := strings.Repeat("x", 1<<20)
	c2.mustDo(bulk(big), "ECHO", big)
	c2.mustDo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", "SETRANGE", "k", "1048576", "x")
}

func TestQueryBufferLimit(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "client-query-buffer-limit", "1mb")
	c.send([]byte("*2\r\n$4\r\nECHO\r\n$5000000\r\n"))
	c.send([]byte(strings.Repeat("y", 2<<20)))
	expectClosed(t, c)
	dial(t, srv.addr()).mustDo("+PONG\r\n", "PING")
}

func TestOutputBufferLimit(t *testing.T) {
	srv := startServer(t)
	p := dial(t, srv.addr())
	p.mustDo("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 128kb 60")
	sub := dial(t, srv.addr())
	sub.send(resp.AppendCommandStrings(nil, "SUBSCRIBE", "flood"))
	expectReply(t, sub, "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n")
	// The subscriber stops reading; the server must drop it rather than
	// buffer without bound.
	msg := strings.Repeat("z", 64*1024)
	for i := 0; i < 400; i++ {
		p.send(resp.AppendCommandStrings(nil, "PUBLISH", "flood", msg))
		if _, err := p.read(); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(p.do("PUBSUB", "NUMSUB", "flood"), ":0\r\n") {
			return
		}
	}
	t.Fatal("a subscriber that does not read was never disconnected")
}

func TestHalfReadCommandAndVanishingClient(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	c.send([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval"))
	expectNothing(t, c, 100*time.Millisecond)
	c.send([]byte("ue\r\n"))
	expectReply(t, c, "+OK\r\n")
	// A client that pipelines a lot and disappears without reading.
	for i := 0; i < 5; i++ {
		nc, err := net.Dial("tcp", srv.addr())
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		for j := 0; j < 20000; j++ {
			b = resp.AppendCommandStrings(b, "GET", "k")
		}
		nc.Write(b)
		nc.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk")) // and a half command
		nc.Close()
	}
	c.mustDo(bulk("value"), "GET", "k")
	for i := 0; i < 200; i++ {
		if strings.Contains(c.do("INFO", "clients"), "connected_clients:1\r\n") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("vanished clients were never cleaned up")
}

func TestMaxClients(t *testing.T) {
	srv := startServer(t)
	a := dial(t, srv.addr())
	a.mustDo("+OK\r\n", "CONFIG", "SET", "maxclients", "2")
	dial(t, srv.addr()).mustDo("+PONG\r\n", "PING")
	c := dial(t, srv.addr())
	expectReply(t, c, "-ERR max number of clients reached\r\n")
	if !strings.Contains(a.do("INFO", "stats"), "rejected_connections:1\r\n") {
		t.Fatal("rejected_connections not counted")
	}
}

// TestProtectedMode checks the DENIED reply for a client that is not on
// the loopback interface when there is no password, and that a password
// or protected-mode no lets it in. (Test servers listen on 127.0.0.1
// only, so the client's address is simulated.)
func TestProtectedMode(t *testing.T) {
	c := newTestClient(t)
	s := c.srv
	remote := &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 5555}
	denied := s.newClient(nopConn{}, 0, remote, nil, c.stats)
	denied.feed([]byte("PING\r\n"))
	if !strings.HasPrefix(string(denied.out), "-DENIED Redis is running in protected mode") || denied.flags&flagCloseAfterReply == 0 {
		t.Fatalf("non-loopback client got %q", denied.out)
	}
	local := s.newClient(nopConn{}, 0, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}, nil, c.stats)
	local.feed([]byte("PING\r\n"))
	if string(local.out) != "+PONG\r\n" {
		t.Fatalf("loopback client got %q", local.out)
	}
	local.out = local.out[:0]
	local.feed(resp.AppendCommandStrings(nil, "CONFIG", "SET", "requirepass", "pw"))
	withPass := s.newClient(nopConn{}, 0, remote, nil, c.stats)
	withPass.feed([]byte("AUTH pw\r\nPING\r\n"))
	if string(withPass.out) != "+OK\r\n+PONG\r\n" {
		t.Fatalf("with a password: %q", withPass.out)
	}
	local.feed(resp.AppendCommandStrings(nil, "CONFIG", "SET", "requirepass", "", "protected-mode", "no"))
	open := s.newClient(nopConn{}, 0, remote, nil, c.stats)
	open.feed([]byte("PING\r\n"))
	if string(open.out) != "+PONG\r\n" {
		t.Fatalf("protected-mode no: %q", open.out)
	}
}

func TestEviction(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	val := strings.Repeat("v", 1000)
	base := srv.usedMemory()
	limit := base + 2<<20
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", itoa(limit), "maxmemory-policy", "noeviction")
	var oom string
	for i := 0; i < 10000; i++ {
		if r := c.do("SET", "k:"+itoa(int64(i)), val); r != "+OK\r\n" {
			oom = r
			break
		}
	}
	if oom != "-OOM command not allowed when used memory > 'maxmemory'.\r\n" {
		t.Fatalf("noeviction over the limit: %q", oom)
	}
	c.mustDo(bulk(val), "GET", "k:1") // reads still work
	// volatile-lru with no volatile keys cannot free anything either.
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "volatile-lru")
	if r := c.do("SET", "more", val); !strings.HasPrefix(r, "-OOM") {
		t.Fatalf("volatile-lru without volatile keys: %q", r)
	}
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl", "volatile-random", "volatile-lfu"} {
		c.mustDo("+OK\r\n", "FLUSHALL")
		c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", policy)
		for i := 0; i < 6000; i++ {
			args := []string{"SET", "k:" + itoa(int64(i)), val}
			if strings.HasPrefix(policy, "volatile") {
				args = append(args, "EX", itoa(int64(1000+i)))
			}
			if r := c.do(args...); r != "+OK\r\n" {
				t.Fatalf("%s: SET %d = %q", policy, i, r)
			}
		}
		// Eviction runs before each command, so the last write may
		// overshoot by its own size, as in Redis.
		if used := srv.usedMemory(); used > limit+4096 {
			t.Fatalf("%s: used %d over maxmemory %d", policy, used, limit)
		}
		if strings.Contains(c.do("INFO", "stats"), "evicted_keys:0\r\n") {
			t.Fatalf("%s: nothing evicted", policy)
		}
	}
	// volatile-ttl evicts the keys closest to expiry first.
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "volatile-ttl")
	c.mustDo("+OK\r\n", "FLUSHALL")
	for i := 0; i < 6000; i++ {
		c.do("SET", "t:"+itoa(int64(i)), val, "EX", itoa(int64(100000-i)))
	}
	count := func(from, to int) (n int) {
		for i := from; i < to; i++ {
			if c.do("EXISTS", "t:"+itoa(int64(i))) == ":1\r\n" {
				n++
			}
		}
		return n
	}
	if late, early := count(4000, 5000), count(0, 1000); early < 900 || late > early/2 {
		t.Fatalf("volatile-ttl kept %d of the 1000 latest-expiring keys and %d of 1000 sooner ones", early, late)
	}
}

// TestIdleTimeoutMatchesRedis: with `timeout 1`, an idle client is closed
// while idle MONITOR, subscribed and blocked clients stay, on the engine as
// on redis-server.
func TestIdleTimeoutMatchesRedis(t *testing.T) {
	for name, addr := range map[string]string{"redis": startRedis(t), "engine": startServer(t).addr()} {
		t.Run(name, func(t *testing.T) {
			admin := dial(t, addr)
			admin.mustDo("+OK\r\n", "CONFIG", "SET", "timeout", "1")
			defer func() { dial(t, addr).mustDo("+OK\r\n", "CONFIG", "SET", "timeout", "0") }()
			idle := dial(t, addr)
			idle.mustDo("+PONG\r\n", "PING")
			dial(t, addr).mustDo("+OK\r\n", "MONITOR")
			dial(t, addr).mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", "SUBSCRIBE", "c")
			dial(t, addr).send(resp.AppendCommandStrings(nil, "BLPOP", "nokey", "0"))
			expectClosed(t, idle) // within 10 s
			// The others have been idle as long; a fresh client sees them.
			list := dial(t, addr).do("CLIENT", "LIST")
			for _, flags := range []string{"flags=O ", "flags=P ", "flags=b "} {
				if n := strings.Count(list, flags); n != 1 {
					t.Errorf("%d clients with %s after the idle one was closed:\n%s", n, flags, list)
				}
			}
		})
	}
}
