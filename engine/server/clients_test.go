package server

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
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
	out, err := exec.Command(bin, "-h", host, "-p", port, "-t", tests, "-n", n, "-c", "50", "-r", keyspaceArg(), "-P", pipe, "--csv").CombinedOutput()
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

// TestRedisCLI runs redis-cli against the engine: one-shot commands, RESP3,
// the --scan/--bigkeys/--memkeys tools, and --pipe mass insertion.
func TestRedisCLI(t *testing.T) {
	bin := needTool(t, "redis-cli")
	srv := startServer(t)
	host, port := hostPort(srv)
	cli := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-h", host, "-p", port}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	expect := func(got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("redis-cli output lacks %q:\n%s", w, got)
			}
		}
	}
	expect(cli("", "PING"), "PONG")
	expect(cli("", "SET", "greeting", "hello world"), "OK")
	expect(cli("", "GET", "greeting"), "hello world")
	expect(cli("", "-3", "HELLO"), "proto", "3")
	// Commands from stdin, one per line, as in scripts.
	expect(cli("SET a 1\nINCRBY a 41\nGET a\nTTL a\n"), "OK\n42\n42\n-1\n")

	// Mass insertion with --pipe: the protocol generated the way the
	// Redis documentation shows.
	var proto strings.Builder
	const n = 20000
	for i := 0; i < n; i++ {
		proto.WriteString(string(resp.AppendCommandStrings(nil, "SET", "pipe:"+strconv.Itoa(i), strconv.Itoa(i))))
	}
	out := cli(proto.String(), "--pipe")
	expect(out, "All data transferred", "errors: 0, replies: "+strconv.Itoa(n))
	expect(cli("", "GET", "pipe:19999"), "19999")
	expect(cli("", "--scan", "--pattern", "pipe:1999*"), "pipe:19990", "pipe:1999\n")
	expect(cli("", "--bigkeys"), "Biggest string found", "Sampled 20002 keys")
	expect(cli("", "--memkeys"), "Biggest string found")
	expect(cli("", "DBSIZE"), strconv.Itoa(n+2))
}

// TestRedisCLIInteractive drives redis-cli's interactive prompt through a
// pseudo-terminal (Python's pty module).
func TestRedisCLIInteractive(t *testing.T) {
	bin := needTool(t, "redis-cli")
	py := needTool(t, "/usr/bin/python3")
	srv := startServer(t)
	host, port := hostPort(srv)
	script := `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    # A dumb terminal keeps linenoise from asking for the cursor position.
    os.execve(sys.argv[1], [sys.argv[1], "-h", sys.argv[2], "-p", sys.argv[3]], dict(os.environ, TERM="dumb"))
out = b""
def read_until(token, timeout=10):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
for cmd, token in [(b"SET k interactive", b"OK"), (b"GET k", b'"interactive"'), (b"INCR n", b"(integer) 1"), (b"GETT k", b"unknown command"), (b"HELP SET", b"KEEPTTL]"), (b"HELP XADD", b"value ...]")]:
    read_until(b"> ")
    out = b""
    os.write(fd, cmd + b"\r")
    read_until(token)
    sys.stdout.buffer.write(out)
os.write(fd, b"QUIT\r")
time.sleep(0.2)
os.kill(pid, 9)
`
	cmd := exec.Command(py, "-c", script, bin, host, port)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.rediscli_history
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("interactive session: %v\n%s", err, out)
	}
	for _, want := range []string{"OK", `"interactive"`, "(integer) 1", "unknown command 'GETT'", "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
		"key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("interactive output lacks %q:\n%s", want, out)
		}
	}
}

// TestPythonRedis runs a python3-redis session: commands, pipelines,
// transactions with WATCH, pub/sub and scan_iter.
func TestPythonRedis(t *testing.T) {
	py := needTool(t, "/usr/bin/python3")
	if exec.Command(py, "-c", "import redis").Run() != nil {
		t.Skip("python3-redis not installed (make test-deps installs it)")
	}
	srv := startServer(t, "--requirepass", "pw")
	host, port := hostPort(srv)
	script := `
import sys, time, redis
r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), password="pw", decode_responses=True)
assert r.ping()
assert r.set("k", "v", ex=100)
assert r.get("k") == "v"
assert 95 <= r.ttl("k") <= 100
assert r.incrby("n", 5) == 5
assert r.incrbyfloat("f", 1.5) == 1.5
assert r.mset({"a": "1", "b": "2"})
assert r.mget("a", "b", "missing") == ["1", "2", None]
assert r.setbit("bits", 3, 1) == 0 and r.bitcount("bits") == 1
assert r.pfadd("hll", "x", "y", "z") == 1 and r.pfcount("hll") == 3
p = r.pipeline(transaction=False)
for i in range(100):
    p.set("p:%d" % i, i)
assert all(p.execute())
with r.pipeline() as tx:
    tx.watch("n")
    cur = int(tx.get("n"))
    tx.multi()
    tx.set("n", cur + 1)
    tx.get("n")
    assert tx.execute() == [True, "6"]
assert sorted(r.scan_iter(match="p:9*", count=10)) == sorted(["p:9"] + ["p:9%d" % i for i in range(10)])
assert r.type("k") == "string" and r.exists("k", "a") == 2
assert r.rename("a", "a2") and r.get("a2") == "1"
assert r.config_get("maxmemory") == {"maxmemory": "0"}
assert r.config_set("maxmemory", "100mb")
info = r.info()
assert info["redis_version"] == "7.0.15" and info["maxmemory"] == 104857600
ps = r.pubsub()
ps.subscribe("chan")
assert ps.get_message(timeout=2)["type"] == "subscribe"
assert r.publish("chan", "hi") == 1
m = ps.get_message(timeout=2)
assert m["type"] == "message" and m["data"] == "hi", m
ps.close()
assert r.client_setname("py") and r.client_getname() == "py"
assert any(c["name"] == "py" for c in r.client_list())
assert r.delete("k", "n") == 2
# A transaction broken by another client's write raises WatchError.
other = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), password="pw", decode_responses=True)
with r.pipeline() as tx:
    tx.watch("w")
    other.set("w", "theirs")
    tx.multi()
    tx.set("w", "mine")
    try:
        tx.execute()
        raise AssertionError("WATCH did not abort the transaction")
    except redis.WatchError:
        pass
assert r.get("w") == "theirs"
# Keyspace notifications through a pattern subscription.
r.config_set("notify-keyspace-events", "KEA")
ps = r.pubsub()
ps.psubscribe("__keyspace@0__:note*")
assert ps.get_message(timeout=2)["type"] == "psubscribe"
r.set("notes", "x")
m = ps.get_message(timeout=2)
assert m["type"] == "pmessage" and m["channel"] == "__keyspace@0__:notes" and m["data"] == "set", m
ps.close()
r.config_set("notify-keyspace-events", "")
# What tools read: the command table, client, INFO, SLOWLOG, MEMORY, TIME.
cmds = r.command()
assert cmds["get"]["arity"] == 2 and cmds["get"]["first_key_pos"] == 1, cmds["get"]
assert r.command_count() == len(cmds)
ci = r.client_info()
assert ci["cmd"] == "client|info" and ci["user"] == "default" and ci["db"] == 0, ci
assert r.info("keyspace")["db0"]["keys"] >= 1
assert r.info("memory")["used_memory"] > 0
r.set("n", 42)
assert r.object("encoding", "n") == "int"
assert r.memory_usage("n") > 0
assert abs(r.time()[0] - time.time()) < 60
r.slowlog_reset()
r.config_set("slowlog-log-slower-than", 0)
r.get("n")
entries = r.slowlog_get(10)
r.config_set("slowlog-log-slower-than", 10000)
assert any(e["command"] in ("GET n", b"GET n") for e in entries), entries  # bytes in redis-py 4
print("python session ok")
`
	out, err := exec.Command(py, "-c", script, host, port).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "python session ok") {
		t.Fatalf("python3-redis session: %v\n%s", err, out)
	}
}

func keyspaceArg() string {
	if v := os.Getenv("BENCH_R"); v != "" {
		return v
	}
	return "1000"
}
