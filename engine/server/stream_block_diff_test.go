package server

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// streamBlockCases: a client blocks with the first command, then another
// client runs the rest; the blocked client's reply (or timeout) and the
// writer's replies must match redis-server's, in RESP2 and RESP3.
var streamBlockCases = []struct {
	name   string
	setup  []string
	block  string
	writes []string
}{
	{"xread $ woken by xadd", []string{"XADD s 1-1 f old"},
		"XREAD BLOCK 0 STREAMS s $", []string{"XADD s 2-1 f new", "XADD s 2-2 f newer"}},
	{"xread on a missing key", nil,
		"XREAD BLOCK 0 STREAMS nokey $", []string{"XADD nokey 5-5 a b"}},
	{"xread two streams", []string{"XADD s 1-1 f v", "XADD t 1-1 f v"},
		"XREAD BLOCK 0 STREAMS s t $ $", []string{"SET other x", "XADD t 3-1 g w"}},
	{"xread count and multi", []string{"XADD s 1-1 f v"},
		"XREAD COUNT 2 BLOCK 0 STREAMS s $", []string{"MULTI", "XADD s 2-1 a 1", "XADD s 2-2 a 2", "XADD s 2-3 a 3", "EXEC"}},
	{"xread explicit id", []string{"XADD s 1-1 f v", "XADD s 1-2 f v"},
		"XREAD BLOCK 0 STREAMS s 1-2", []string{"XADD s 1-3 f w"}},
	{"xread timeout", []string{"XADD s 1-1 f v"},
		"XREAD BLOCK 30 STREAMS s $", nil},
	{"xread key replaced by another type", []string{"XADD s 1-1 f v"},
		"XREAD BLOCK 0 STREAMS s $", []string{"DEL s", "SET s str", "DEL s", "XADD s 9-9 a b"}},
	{"xread key deleted and readded", []string{"XADD s 1-1 f v"},
		"XREAD BLOCK 0 STREAMS s 1-1", []string{"DEL s", "XADD s 1-0 a b", "XADD s 1-5 c d"}},
	{"xreadgroup woken by xadd", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"XADD s 1-1 f v", "XPENDING s g", "XINFO GROUPS s"}},
	{"xreadgroup noack", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice NOACK COUNT 1 BLOCK 0 STREAMS s >", []string{"XADD s 1-1 f v", "XPENDING s g"}},
	{"xreadgroup timeout", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 30 STREAMS s >", []string{"XINFO CONSUMERS s g"}},
	{"xreadgroup group destroyed", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"XGROUP DESTROY s g"}},
	{"xreadgroup stream deleted", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"DEL s", "XADD s 1-1 f v", "XGROUP CREATE s g 0", "XADD s 1-2 f v"}},
	{"xreadgroup stream unlinked", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"UNLINK s"}},
	{"xreadgroup stream renamed", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"RENAME s s2"}},
	{"xreadgroup flushall", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"FLUSHALL"}},
	{"xreadgroup flushdb", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"FLUSHDB"}},
	{"xreadgroup swapdb", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{"SWAPDB 0 1"}},
	{"xreadgroup two streams, one deleted", []string{"XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE t g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s t > >", []string{"DEL t"}},
	{"xread stream deleted then added", []string{"XADD s 1-1 f v"},
		"XREAD BLOCK 0 STREAMS s $", []string{"DEL s", "XADD s 2-2 f w"}},
	{"xread in script does not block", []string{"XADD s 1-1 f v"},
		"XREAD BLOCK 30 STREAMS s 1-1", []string{`EVAL "return redis.call('xadd', KEYS[1], '2-1', 'a', 1)" 1 s`}},
	{"xreadgroup xadd in script", []string{"XGROUP CREATE s g $ MKSTREAM"},
		"XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", []string{`EVAL "redis.call('xadd', KEYS[1], '1-1', 'a', 1) redis.call('xadd', KEYS[1], '1-2', 'b', 2) return 1" 1 s`}},
}

func TestStreamBlockDifferential(t *testing.T) {
	redisAddr := startRedis(t)
	srv := startServer(t)
	for _, proto := range []int{2, 3} {
		for _, tc := range streamBlockCases {
			t.Run(tc.name+"/resp"+strconv.Itoa(proto), func(t *testing.T) {
				var out [2][]string
				for i, addr := range []string{redisAddr, srv.addr()} {
					out[i] = runBlockCase(t, addr, proto, tc.setup, tc.block, tc.writes)
				}
				if strings.Join(out[0], "\n") != strings.Join(out[1], "\n") {
					t.Errorf("redis:\n  %s\nengine:\n  %s", strings.Join(out[0], "\n  "), strings.Join(out[1], "\n  "))
				}
			})
		}
	}
}

// runBlockCase runs one case on the server at addr and returns the
// replies in order: the writers' (masked for times) and the blocked
// client's last.
func runBlockCase(t *testing.T, addr string, proto int, setup []string, block string, writes []string) []string {
	w, b, probe := dial(t, addr), dial(t, addr), dial(t, addr)
	w.do("FLUSHALL")
	for _, c := range []*rawConn{w, b} {
		if proto == 3 {
			c.do("HELLO", "3")
		}
	}
	var out []string
	run := func(c *rawConn, line string) {
		args, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			t.Fatalf("bad quoting: %s", line)
		}
		c.send(resp.AppendCommand(nil, args...))
		reply, err := c.read()
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		out = append(out, line+" -> "+maskDigits(bytes.TrimSpace(reply)))
	}
	for _, l := range setup {
		run(w, l)
	}
	args, _ := resp.SplitArgs([]byte(block), nil)
	b.send(resp.AppendCommand(nil, args...))
	if len(writes) > 0 {
		waitBlocked(t, probe, 1)
	}
	for _, l := range writes {
		run(w, l)
	}
	reply, err := b.read()
	if err != nil {
		t.Fatalf("%s: %v", block, err)
	}
	return append(out, block+" -> "+string(reply))
}
