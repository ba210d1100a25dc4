// Package redistest runs Debian's redis-server for tests that compare the
// engine with the real thing (file formats, replies).
package redistest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis is a running redis-server.
type Redis struct {
	Addr string
	Dir  string
	cmd  *exec.Cmd
	t    testing.TB
}

// Start runs redis-server on a free 127.0.0.1 port with its working
// directory dir (a fresh temporary directory when empty), persistence off
// unless directives turn it on, and stops it when the test ends. The test
// is skipped when redis-server is not installed.
func Start(t testing.TB, dir string, directives ...string) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (make test-deps installs it)")
	}
	if dir == "" {
		dir = t.TempDir()
	}
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}, directives...)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := &Redis{Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, cmd: cmd, t: t}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if r.waitReady(exited) {
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			return r
		}
		cmd.Process.Kill()
		<-exited
		if log := r.Log(); attempt == 3 || !strings.Contains(log, "already in use") {
			t.Fatalf("redis-server did not start: %s", log)
		}
	}
}

func (r *Redis) waitReady(exited <-chan struct{}) bool {
	deadline := time.After(30 * time.Second)
	for {
		if c, err := net.Dial("tcp", r.Addr); err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-deadline:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Log returns the server's log so far.
func (r *Redis) Log() string {
	b, _ := os.ReadFile(filepath.Join(r.Dir, "redis.log"))
	return string(b)
}

// Stop kills the server and waits for it.
func (r *Redis) Stop() {
	r.cmd.Process.Kill()
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", r.Addr); err != nil {
			return
		} else {
			c.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FreePort returns a 127.0.0.1 TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
