package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptEffectsInAOF checks that scripts, functions and consumer
// group reads reach the AOF as the commands that replay their effects
// (several wrapped in MULTI/EXEC, nothing for redis.set_repl(REPL_NONE)),
// and that a restart from that AOF rebuilds the same data.
func TestScriptEffectsInAOF(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--appendonly", "yes")
	c := dial(t, srv.addr())
	c.mustDo(":1\r\n", "EVAL", "redis.call('set', KEYS[1], 'a') redis.call('incr', KEYS[2]) redis.call('get', KEYS[1]) return 1", "2", "k", "n")
	c.mustDo(":2\r\n", "EVAL", "return redis.call('incr', KEYS[1])", "1", "n")
	c.mustDo(":3\r\n", "EVAL", "redis.set_repl(redis.REPL_NONE) return redis.call('incr', KEYS[1])", "1", "n")
	c.mustDo(bulk("lib"), "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('setx', function(keys, args) return redis.call('set', keys[1], args[1]) end)")
	c.mustDo("+OK\r\n", "FCALL", "setx", "1", "f", "from-function")
	c.mustDo("+OK\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	c.mustDo(bulk("1-1"), "XADD", "s", "1-1", "a", "1")
	c.mustDo(bulk("1-2"), "XADD", "s", "1-2", "b", "2")
	c.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
	c.mustDo(":1\r\n", "XACK", "s", "g", "1-1")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	aof, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(aof)
	for _, frag := range []string{
		"$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\na\r\n*2\r\n$4\r\nincr\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n",
		"*2\r\n$4\r\nincr\r\n$1\r\nn\r\n",
		"$3\r\nset\r\n$1\r\nf\r\n$13\r\nfrom-function\r\n",
		"$6\r\nXCLAIM\r\n$1\r\ns\r\n$1\r\ng\r\n$5\r\nalice\r\n$1\r\n0\r\n$3\r\n1-1\r\n",
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("AOF lacks %q:\n%q", frag, text)
		}
	}
	if strings.Count(text, "$4\r\nincr\r\n") != 2 || strings.Contains(strings.ToUpper(text), "EVAL") || strings.Contains(text, "FCALL") {
		t.Errorf("AOF has script commands or the REPL_NONE write:\n%q", text)
	}
	srv, stop = runServer(t, dir, "--appendonly", "yes")
	defer stop()
	c = dial(t, srv.addr())
	c.mustDo(bulk("a"), "GET", "k")
	c.mustDo(bulk("2"), "GET", "n") // the REPL_NONE increment is not replayed
	c.mustDo(bulk("from-function"), "GET", "f")
	c.mustDo("*4\r\n:1\r\n"+bulk("1-2")+bulk("1-2")+"*1\r\n*2\r\n"+bulk("alice")+bulk("1"), "XPENDING", "s", "g")
}

// TestFunctionsInRDB checks that function libraries are saved in RDB
// snapshots and loaded back.
func TestFunctionsInRDB(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir)
	c := dial(t, srv.addr())
	c.mustDo(bulk("lib"), "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('hello', function(keys, args) return 'hi ' .. args[1] end)")
	c.mustDo("+OK\r\n", "SAVE")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	srv, stop = runServer(t, dir)
	defer stop()
	c = dial(t, srv.addr())
	c.mustDo(bulk("hi there"), "FCALL", "hello", "0", "there")
}
