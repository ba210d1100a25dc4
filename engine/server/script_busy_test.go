package server

import (
	"strings"
	"testing"
	"time"
)

// waitBusy polls with PING until the server answers BUSY.
func waitBusy(t *testing.T, c *rawConn) string {
	t.Helper()
	for i := 0; i < 400; i++ {
		if r := c.do("PING"); strings.HasPrefix(r, "-BUSY") {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never became busy")
	return ""
}

func TestScriptBusyAndKill(t *testing.T) {
	srv := startServer(t, "--busy-reply-threshold", "100")
	runner := dial(t, srv.addr())
	// Several clients, so that some share the script's event loop.
	others := []*rawConn{dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr()), dial(t, srv.addr())}
	others[0].mustDo("+OK\r\n", "SET", "k", "v")
	others[0].mustDo("-NOTBUSY No scripts in execution right now.\r\n", "SCRIPT", "KILL")

	runner.send([]byte("EVAL \"while true do end\" 0\r\n"))
	if r := waitBusy(t, others[1]); r != "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n" {
		t.Fatalf("BUSY reply %q", r)
	}
	for _, o := range others {
		o.mustDo("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "GET", "k")
	}
	others[2].mustDo("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n", "FUNCTION", "KILL")
	others[3].mustDo("+OK\r\n", "SCRIPT", "KILL")
	reply, err := runner.read()
	if err != nil || !strings.HasPrefix(string(reply), "-ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Fatalf("killed script replied %q, %v", reply, err)
	}
	runner.mustDo("$1\r\nv\r\n", "GET", "k")

	// Functions: FUNCTION KILL, and FUNCTION STATS while busy.
	others[0].mustDo(bulk("busy"), "FUNCTION", "LOAD", "#!lua name=busy\nredis.register_function('spin', function() while true do end end)")
	runner.send([]byte("FCALL spin 0\r\n"))
	if r := waitBusy(t, others[1]); r != "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n" {
		t.Fatalf("BUSY reply %q", r)
	}
	if r := others[2].do("FUNCTION", "STATS"); !strings.Contains(r, "spin") {
		t.Fatalf("FUNCTION STATS while busy: %q", r)
	}
	others[3].mustDo("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n", "SCRIPT", "KILL")
	others[3].mustDo("+OK\r\n", "FUNCTION", "KILL")
	if reply, err := runner.read(); err != nil || !strings.HasPrefix(string(reply), "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.") {
		t.Fatalf("killed function replied %q, %v", reply, err)
	}

	// A script that wrote cannot be killed; shutting the server down (the
	// test's cleanup, which fails if the server does not stop) ends it.
	runner.send([]byte("EVAL \"redis.call('set','k','w') while true do end\" 0\r\n"))
	waitBusy(t, others[0])
	others[1].mustDo("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n", "SCRIPT", "KILL")
	others[2].mustDo("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n", "FUNCTION", "KILL")
}

// TestScriptBusyDifferential runs long scripts and functions on the
// engine and on redis-server (busy-reply-threshold 100 ms) and compares
// what other clients get meanwhile (BUSY, the commands still allowed,
// SCRIPT/FUNCTION KILL, UNKILLABLE) and the killed script's own reply.
func TestScriptBusyDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for scripts to turn busy")
	}
	addrs := []string{startRedis(t, "--busy-reply-threshold", "100"), startServer(t, "--busy-reply-threshold", "100").addr()}
	var out [2][]string
	for i, addr := range addrs {
		out[i] = busySession(t, addr)
	}
	if want, got := strings.Join(out[0], "\n"), strings.Join(out[1], "\n"); want != got {
		t.Errorf("redis:\n  %s\nengine:\n  %s", strings.ReplaceAll(want, "\n", "\n  "), strings.ReplaceAll(got, "\n", "\n  "))
	}
}

// busySession returns every reply of a scripted session against addr,
// with durations masked.
func busySession(t *testing.T, addr string) []string {
	runner, o, o3 := dial(t, addr), dial(t, addr), dial(t, addr)
	o3.do("HELLO", "3")
	var out []string
	do := func(c *rawConn, args ...string) {
		out = append(out, strings.Join(args, " ")+" -> "+maskDigits([]byte(c.do(args...))))
	}
	finish := func(what string) {
		reply, err := runner.read()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, what+" -> "+string(reply))
	}
	do(o, "SET", "k", "v")
	do(o, "FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)\n"+
		"redis.register_function('spinw', function() redis.call('set', 'w', 1) while true do end end)")

	runner.send([]byte("EVAL \"local i = 0 while true do i = i + 1 end\" 0\r\n"))
	waitBusy(t, o)
	for _, cmd := range [][]string{{"GET", "k"}, {"PING"}, {"FUNCTION", "KILL"}, {"FUNCTION", "STATS"},
		{"SCRIPT", "EXISTS", "x"}, {"CLIENT", "ID"}, {"INFO", "nosuchsection"}, {"NOSUCH"}} {
		do(o, cmd...)
	}
	do(o3, "GET", "k")
	do(o3, "FUNCTION", "STATS")
	do(o, "SCRIPT", "KILL")
	finish("EVAL spin")

	runner.send([]byte("FCALL spin 0\r\n"))
	waitBusy(t, o)
	do(o, "GET", "k")
	do(o, "SCRIPT", "KILL")
	do(o, "FUNCTION", "STATS")
	do(o3, "FUNCTION", "STATS")
	do(o, "FUNCTION", "KILL")
	finish("FCALL spin")
	do(o, "SCRIPT", "KILL")
	do(o, "FUNCTION", "KILL")

	runner.send([]byte("FCALL spinw 0\r\n"))
	waitBusy(t, o)
	do(o, "FUNCTION", "KILL")
	do(o, "SCRIPT", "KILL")
	do(o, "GET", "w")
	return out
}
