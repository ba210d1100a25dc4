package server

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (make test-deps installs it)", name)
	}
	return p
}

func hostPort(s *Server) (string, string) {
	h, p, _ := strings.Cut(s.addr(), ":")
	return h, p
}

// TestRedisBenchmark runs redis-benchmark against the engine: every test
// it knows must complete without errors, and the keys it writes must be
// there. BENCH_N raises the request count for profiling
// (go test -run TestRedisBenchmark -cpuprofile cpu.out).
func TestRedisBenchmark(t *testing.T) {
	bin := needTool(t, "redis-benchmark")
	srv := startServer(t)
	host, port := hostPort(srv)
	n := "2000"
	if v := os.Getenv("BENCH_N"); v != "" {
		n = v
	}
	tests := "ping,set,get,incr,mset"
	if v := os.Getenv("BENCH_TESTS"); v != "" {
		tests = v
	}
	pipe := "1"
	if v := os.Getenv("BENCH_P"); v != "" {
		pipe = v
	}
	out, err := exec.Command(bin, "-h", host, "-p", port, "-t", tests, "-n", n, "-c", "20", "-r", "1000", "-P", pipe, "--csv").CombinedOutput()
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	rows := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "\"") || strings.HasPrefix(line, "\"test\"") {
			continue
		}
		f := strings.Split(strings.ReplaceAll(line, "\"", ""), ",")
		rps, err := strconv.ParseFloat(f[1], 64)
		if err != nil || rps <= 0 {
			t.Errorf("bad row %q", line)
		}
		rows++
	}
	if rows < len(strings.Split(tests, ",")) {
		t.Fatalf("redis-benchmark reported %d tests:\n%s", rows, out)
	}
	if strings.Contains(tests, "set") {
		c := dial(t, srv.addr())
		if got := c.do("DBSIZE"); got == ":0\r\n" {
			t.Fatal("benchmark wrote no keys")
		}
	}
}
