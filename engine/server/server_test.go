package server

import (
	"strings"
	"testing"
	"time"
)

func TestBasics(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	c.mustDo("+PONG\r\n", "PING")
	c.mustDo(bulk("hi"), "PING", "hi")
	c.mustDo("+OK\r\n", "SET", "k", "v")
	c.mustDo(bulk("v"), "GET", "k")
	c.mustDo("$-1\r\n", "GET", "missing")
	c.mustDo(":1\r\n", "DEL", "k", "missing")
	c.mustDo("+OK\r\n", "SET", "k", "v")
	c.mustDo(":2\r\n", "EXISTS", "missing", "k", "k")
	c.mustDo("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n", "FOO", "a", "b")
	c.mustDo("-ERR wrong number of arguments for 'get' command\r\n", "GET")
	c.mustDo("-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n", "CONFIG", "nope")
	c.mustDo("-ERR wrong number of arguments for 'config|get' command\r\n", "CONFIG", "GET")
}

// TestPipelineOneWrite sends a batch of commands in one write and checks
// the replies come back in one write too: a single read on the loopback
// connection returns all of them.
func TestPipelineOneWrite(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	const n = 100
	want := strings.Repeat("+OK\r\n", n-1) + "$1\r\nv\r\n"
	batch := strings.Repeat("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", n-1) + "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
	for round := 0; round < 3; round++ {
		c.send([]byte(batch))
		buf := make([]byte, 64*1024)
		c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := c.nc.Read(buf)
		if err != nil || string(buf[:got]) != want {
			t.Fatalf("round %d: one read returned %d of %d bytes (%v): %q", round, got, len(want), err, buf[:min(got, 64)])
		}
	}
}

func TestAuth(t *testing.T) {
	srv := startServer(t, "--requirepass", "secret")
	c := dial(t, srv.addr())
	c.mustDo("-NOAUTH Authentication required.\r\n", "GET", "k")
	c.mustDo("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
	c.mustDo("+OK\r\n", "AUTH", "secret")
	c.mustDo("$-1\r\n", "GET", "k")
	// Changing the password live: new connections need the new one, the
	// authenticated one stays authenticated.
	c.mustDo("+OK\r\n", "CONFIG", "SET", "requirepass", "other")
	c.mustDo("$-1\r\n", "GET", "k")
	c2 := dial(t, srv.addr())
	c2.mustDo("-NOAUTH Authentication required.\r\n", "PING")
	c2.mustDo("+OK\r\n", "AUTH", "default", "other")
	c2.mustDo("+PONG\r\n", "PING")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "requirepass", "")
	c3 := dial(t, srv.addr())
	c3.mustDo("+PONG\r\n", "PING")
}

// TestActiveExpiry checks keys with a TTL are reclaimed without any client
// touching them, and counted in INFO.
func TestActiveExpiry(t *testing.T) {
	srv := startServer(t, "--hz", "100")
	c := dial(t, srv.addr())
	for i := 0; i < 2000; i++ {
		c.mustDo("+OK\r\n", "SET", "tmp:"+itoa(int64(i)), "v", "PX", "50")
	}
	c.mustDo("+OK\r\n", "SET", "keep", "v")
	for i := 0; i < 300; i++ {
		if c.do("DBSIZE") == ":1\r\n" {
			if !strings.Contains(c.do("INFO", "stats"), "expired_keys:2000\r\n") {
				t.Fatal("expired keys not counted")
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("expired keys never reclaimed: DBSIZE %s", c.do("DBSIZE"))
}
