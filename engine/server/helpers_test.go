package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/internal/redistest"
	"github.com/redisctl/redisctl/engine/resp"
)

// startServer runs an engine in-process on a 127.0.0.1 port chosen by the
// kernel, with extra config directives, and stops it when the test ends.
func startServer(t testing.TB, directives ...string) *Server {
	t.Helper()
	return startServerOpts(t, Options{}, directives...)
}

// startServerOpts is startServer with Options.
func startServerOpts(t testing.TB, opts Options, directives ...string) *Server {
	t.Helper()
	srv, stop := launchServer(t, append([]string{"--dir", t.TempDir()}, directives...), opts)
	if srv == nil {
		t.Fatalf("server did not start: %v", stop())
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("server Run: %v", err)
		}
	})
	return srv
}

// launchServer runs an engine configured by args (redis-server's command
// line) with opts on a 127.0.0.1 port chosen by the kernel and waits until
// it serves. stop stops it, gracefully as SIGTERM does, and returns Run's
// error; it runs again (doing nothing) when the test ends. When the server
// fails to start, srv is nil and stop returns why.
func launchServer(t testing.TB, args []string, opts Options) (srv *Server, stop func() error) {
	t.Helper()
	cfg, err := config.Load(args)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.Listeners = []net.Listener{ln}
	opts.Driver = os.Getenv("ENGINE_DRIVER")
	if srv, err = New(cfg, opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-errc:
		cancel()
		return nil, func() error { return err }
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(20 * time.Second):
				runErr = fmt.Errorf("server did not stop")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return srv, stop
}

func (s *Server) addr() string { return s.Addrs()[0].String() }

// startRedis runs Debian's redis-server on a free 127.0.0.1 port for
// differential tests and stops it when the test ends.
func startRedis(t testing.TB, directives ...string) string {
	t.Helper()
	return redistest.Start(t, "", directives...).Addr
}

// rawConn is a minimal RESP client that returns replies as raw bytes.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *rawConn) send(b []byte) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next reply's bytes, or an error (EOF when the server
// closed the connection).
func (c *rawConn) read() ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return resp.ReadReply(c.r, nil)
}

// do sends a command and returns its reply as a string.
func (c *rawConn) do(args ...string) string {
	c.t.Helper()
	c.send(resp.AppendCommandStrings(nil, args...))
	b, err := c.read()
	if err != nil {
		c.t.Fatalf("%q: %v", args, err)
	}
	return string(b)
}

// mustDo is do, failing the test unless the reply is want.
func (c *rawConn) mustDo(want string, args ...string) {
	c.t.Helper()
	if got := c.do(args...); got != want {
		c.t.Fatalf("%q = %q, want %q", args, got, want)
	}
}

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

func lines(s ...string) string { return strings.Join(s, "") }
