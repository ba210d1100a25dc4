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
