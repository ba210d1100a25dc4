package server

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// effectsScript exercises what scripts, functions and stream consumer
// groups write to the AOF: the effects of a script as its commands
// (wrapped in MULTI/EXEC when several), redis.set_repl, commands
// rewritten for propagation, and the XCLAIM/XGROUP commands consumer
// group reads propagate.
var effectsScript = []string{
	`SET plain 1`,
	`EVAL "redis.call('set', KEYS[1], 'a') redis.call('incr', KEYS[2]) redis.call('get', KEYS[1]) return 1" 2 k n`,
	`EVAL "return redis.call('incr', KEYS[1])" 1 n`,
	`EVAL "return redis.call('get', KEYS[1])" 1 n`,
	`EVAL "return redis.call('del', 'nosuchkey')" 0`,
	`EVAL "redis.set_repl(redis.REPL_NONE) redis.call('incr', 'n') redis.set_repl(redis.REPL_ALL) redis.call('incr', 'n2') return 1" 0`,
	`EVAL "redis.set_repl(redis.REPL_REPLICA) redis.call('set', 'replonly', 1) redis.set_repl(redis.REPL_AOF) redis.call('set', 'aofonly', 1) return 1" 0`,
	`EVAL "redis.call('set', 'before', 1) error('after a write')" 0`,
	`EVAL "redis.call('set', 'e', 1) redis.call('expire', 'e', 100) redis.call('pexpire', 'e', 100000) redis.call('setex', 'e2', 100, 'v') return 1" 0`,
	`EVAL "return redis.call('incrbyfloat', 'f', '1.5')" 0`,
	`EVAL "redis.call('sadd', 'one', 'only') return redis.call('spop', 'one')" 0`,
	`EVAL "redis.call('rpush', 'l', 'a', 'b') return redis.call('blpop', 'l', 0)" 0`,
	`EVAL "redis.call('select', 1) redis.call('set', 'in1', 'x') return 1" 0`,
	`SET back0 1`,
	`EVAL "redis.call('publish', 'ch', 'msg') return redis.call('set', 'afterpub', 1)" 0`,
	`MULTI`,
	`EVAL "return redis.call('incr', 'm')" 0`,
	`SET m2 1`,
	`EVAL "redis.call('incr', 'm') return redis.call('incr', 'm')" 0`,
	`EXEC`,
	`SCRIPT LOAD "return redis.call('set', 'loaded', 1)"`,
	`EVALSHA fa2db4a84c80e561c048242296c25c7d0c76ca37 0`,
	`FUNCTION LOAD "#!lua name=lib\nredis.register_function('setx', function(keys, args) return redis.call('set', keys[1], args[1]) end)\nredis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}"`,
	`FCALL setx 1 fk fv`,
	`FCALL ro 1 fk`,
	`FCALL_RO ro 1 fk`,
	`FUNCTION DELETE lib`,
	`MULTI`,
	`SET single 1`,
	`GET single`,
	`EXEC`,
	`MULTI`,
	`GET single`,
	`EXEC`,
	`MULTI`,
	`EVAL "return redis.call('set', 'single2', 1)" 0`,
	`EXEC`,
	`XADD auto * c 3`,
	`XADD trimmed 1-1 a 1`,
	`XADD trimmed 1-2 a 1`,
	`XADD trimmed MAXLEN ~ 1 2-1 d 4`,
	`XTRIM trimmed MAXLEN ~ 0`,
	`XADD s 1-1 a 1`,
	`XADD s 1-2 b 2`,
	`XADD s 1-3 c 3`,
	`XADD s 1-4 d 4`,
	`XGROUP CREATE s g 0`,
	`XGROUP CREATE s2 g2 $ MKSTREAM`,
	`XREADGROUP GROUP g alice COUNT 2 STREAMS s >`,
	`XREADGROUP GROUP g bob NOACK STREAMS s >`,
	`XREADGROUP GROUP g carol STREAMS s >`,
	`XADD s 1-5 e 5`,
	`XREADGROUP GROUP g carol STREAMS s >`,
	`EVAL "return redis.call('xreadgroup', 'GROUP', 'g', 'eve', 'STREAMS', KEYS[1], '>')" 1 s`,
	`XREADGROUP GROUP g alice STREAMS s 0`,
	`XACK s g 1-1`,
	`XCLAIM s g dave 0 1-2`,
	`XCLAIM s g dave 0 1-2 JUSTID LASTID 9-9`,
	`XDEL s 1-2`,
	`XAUTOCLAIM s g erin 0 0`,
	`XGROUP CREATECONSUMER s g frank`,
	`XGROUP DELCONSUMER s g frank`,
	`XGROUP SETID s g 0 ENTRIESREAD 0`,
	`XSETID s 99-99`,
	`EVAL "return redis.call('xadd', KEYS[1], '100-1', 'x', 'y')" 1 s`,
	`XADD s 200-1 a 1`,
	`XADD s 200-2 a 2`,
	`MULTI`,
	`SET t0 1`,
	`SELECT 2`,
	`SET t2 1`,
	`XREADGROUP GROUP g zed STREAMS s >`,
	`SELECT 0`,
	`XREADGROUP GROUP g zed STREAMS s >`,
	`EXEC`,
	`MULTI`,
	`SET x 1`,
	`EXEC`,
	`XGROUP DESTROY s g`,
	`FLUSHALL`,
}

// TestEffectsAOFDifferential runs effectsScript on the engine and on
// redis-server, both with the AOF on, and compares the command streams
// they append (timestamps masked).
func TestEffectsAOFDifferential(t *testing.T) {
	rdir, edir := t.TempDir(), t.TempDir()
	ref := dial(t, startRedis(t, "--appendonly", "yes", "--appendfsync", "always", "--dir", rdir))
	srv, stop := runServer(t, edir, "--appendonly", "yes", "--appendfsync", "always")
	defer stop()
	eng := dial(t, srv.addr())
	for _, line := range effectsScript {
		args, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			t.Fatalf("bad quoting: %s", line)
		}
		ref.send(resp.AppendCommand(nil, args...))
		eng.send(resp.AppendCommand(nil, args...))
		want, _ := ref.read()
		got, _ := eng.read()
		if !bytes.Equal(maskTimes(want), maskTimes(got)) {
			t.Errorf("%s:\n redis:  %q\n engine: %q", line, want, got)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	want := aofCommands(t, filepath.Join(rdir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	got := aofCommands(t, filepath.Join(edir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("AOF differs:\n redis:\n  %s\n engine:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

// aofCommands reads an AOF's commands as quoted lines, with Unix times
// in milliseconds masked.
func aofCommands(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(bytes.NewReader(b))
	var out []string
	for {
		reply, err := resp.ReadReply(r, nil)
		if err != nil {
			return out
		}
		v, _ := parseTree(reply)
		var words []string
		for _, a := range v.([]any) {
			words = append(words, strconv.Quote(string(maskTimes([]byte(a.(string))))))
		}
		out = append(out, strings.Join(words, " "))
	}
}

// maskTimes replaces numbers of 13 digits or more (Unix times in ms) by
// "<ms>".
func maskTimes(b []byte) []byte {
	return msTimes.ReplaceAll(b, []byte("<ms>"))
}

var msTimes = regexp.MustCompile(`[0-9]{13,}`)
