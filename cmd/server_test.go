package cmd

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/cmd/iostreams"
)

func TestServerConfigErrors(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "node.conf")
	if err := os.WriteFile(conf, []byte("port 7001\nfrobnicate yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"server", conf}, "Reading the configuration file, at line 2\n>>> 'frobnicate yes'\nBad directive or wrong number of arguments"},
		{[]string{"server", "--port", "7001", "--maxmemory", "lots"}, ">>> 'maxmemory \"lots\"'\nargument must be a memory value"},
		{[]string{"server", filepath.Join(dir, "nope.conf")}, "Fatal error, can't open config file"},
	}
	for _, tt := range tests {
		ios, _, _, errOut := iostreams.Test()
		if code := Run(context.Background(), tt.args, ios); code != 1 {
			t.Errorf("%v: exit %d, want 1", tt.args, code)
		}
		if !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, errOut.String(), tt.want)
		}
	}
}

// TestServerLifecycle starts `redisctl server` in-process with a config
// file, checks PING, the pid file and the log file, then cancels it the
// way SIGTERM does and checks the pid file is gone.
func TestServerLifecycle(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := filepath.Join(dir, "redis.conf")
	text := "bind 127.0.0.1\nport " + strconv.Itoa(port) + "\ndir " + dir + "\npidfile redis.pid\nlogfile redis.log\nmaxmemory 256mb\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, _, errOut := iostreams.Test()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"server", conf, "--maxmemory-policy", "allkeys-lru"}, ios) }()
	var nc net.Conn
	for i := 0; i < 200; i++ {
		if nc, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("server never listened: %v (stderr %q)", err, errOut.String())
	}
	r := bufio.NewReader(nc)
	ask := func(cmd, want string) {
		t.Helper()
		nc.Write([]byte(cmd + "\r\n"))
		line, err := r.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("%s = %q, %v; want %q", cmd, line, err, want)
		}
	}
	ask("PING", "+PONG\r\n")
	ask("CONFIG SET maxmemory 1gb", "+OK\r\n")
	nc.Close()
	pid, err := os.ReadFile(filepath.Join(dir, "redis.pid"))
	if err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pid file = %q, %v", pid, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "redis.pid")); !os.IsNotExist(err) {
		t.Fatalf("pid file still there: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	if !strings.Contains(string(log), "Ready to accept connections") || !strings.Contains(string(log), "ready to exit") {
		t.Fatalf("log file:\n%s", log)
	}
}

// TestServerDaemonize builds redisctl and checks `server --daemonize yes`
// returns at once, leaving a detached server that writes its pid file and
// answers PING, and that SHUTDOWN removes the pid file.
func TestServerDaemonize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the redisctl binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "redisctl")
	build := exec.Command("go", "build", "-tags", "grpcnotrace", "-o", bin, "github.com/redisctl/redisctl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	pidfile := filepath.Join(dir, "d.pid")
	out, err := exec.Command(bin, "server", "--daemonize", "yes", "--port", port, "--bind", "127.0.0.1",
		"--pidfile", pidfile, "--dir", dir, "--logfile", "d.log", "--save", "").CombinedOutput()
	// Whatever happens below, the detached server must not outlive the
	// test: it would keep the port and every file descriptor it inherited.
	var daemon int
	t.Cleanup(func() {
		if daemon == 0 {
			daemon = readPid(pidfile)
		}
		if daemon > 0 {
			syscall.Kill(daemon, syscall.SIGKILL)
		}
	})
	if err != nil {
		t.Fatalf("daemonize: %v\n%s", err, out)
	}
	var nc net.Conn
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if nc, err = net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("daemon never listened: %v", err)
	}
	defer nc.Close()
	if daemon = readPid(pidfile); daemon == 0 {
		t.Fatal("no pid file")
	}
	r := bufio.NewReader(nc)
	nc.Write([]byte("PING\r\n"))
	if line, _ := r.ReadString('\n'); line != "+PONG\r\n" {
		t.Fatalf("PING = %q", line)
	}
	nc.Write([]byte("SHUTDOWN NOSAVE\r\n"))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if _, err := os.Stat(pidfile); os.IsNotExist(err) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("pid file left behind after SHUTDOWN")
}

// readPid returns the pid in pidfile, or 0.
func readPid(pidfile string) int {
	b, _ := os.ReadFile(pidfile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
