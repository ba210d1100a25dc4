package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/rdb"
	"github.com/redisctl/redisctl/engine/resp"
)

// restoreProbes read (and change) a restored value every way a client
// can: a payload that decodes must give a value the commands can use.
var restoreProbes = [][]string{
	{"TYPE", "k"}, {"OBJECT", "ENCODING", "k"}, {"DUMP", "k"}, {"MEMORY", "USAGE", "k"},
	{"LRANGE", "k", "0", "-1"}, {"LINDEX", "k", "-1"}, {"RPUSH", "k", "x"}, {"LPOP", "k"},
	{"SMEMBERS", "k"}, {"SISMEMBER", "k", "1"}, {"SADD", "k", "x"}, {"SPOP", "k"},
	{"HGETALL", "k"}, {"HGET", "k", "f"}, {"HSET", "k", "x", "y"}, {"HDEL", "k", "f"},
	{"ZRANGE", "k", "0", "-1", "WITHSCORES"}, {"ZSCORE", "k", "a"}, {"ZADD", "k", "1", "x"}, {"ZPOPMIN", "k"},
	{"XRANGE", "k", "-", "+"}, {"XREVRANGE", "k", "+", "-"}, {"XLEN", "k"},
	{"XINFO", "STREAM", "k", "FULL"}, {"XINFO", "GROUPS", "k"}, {"XPENDING", "k", "g", "-", "+", "10"},
	{"XADD", "k", "*", "f", "v"}, {"XTRIM", "k", "MAXLEN", "1"}, {"XDEL", "k", "1-1"},
	{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"}, {"XAUTOCLAIM", "k", "g", "c", "0", "0-0"},
	{"DEL", "k"},
}

// FuzzRestore RESTOREs arbitrary values (the fuzzer's input gets a valid
// DUMP footer, or the checksum would stop nearly every input) and runs
// every probe on what was restored: a corrupt value is an error reply,
// never a panic, and a value that loads stays usable.
func FuzzRestore(f *testing.F) {
	c := newTestClient(f)
	// Seeds: DUMPs of small values of every type and encoding.
	for _, cmd := range []string{
		"SET s hello", "SET i 123", "RPUSH l a 1 b", "SADD si 1 2 3", "SADD ss a b",
		"HSET h f v n 5", "ZADD z 1 a 2.5 b", "XADD x 1-1 f v", "XADD x 1-2 g w",
		"XGROUP CREATE x g 0", "XREADGROUP GROUP g c COUNT 1 STREAMS x >", "XDEL x 1-2",
		"CONFIG SET list-max-listpack-size 1", "RPUSH lq a b c", "CONFIG SET hash-max-listpack-entries 1",
		"HSET hh a 1 b 2", "CONFIG SET zset-max-listpack-entries 1", "ZADD zz 1 a 2 b",
		"CONFIG SET set-max-intset-entries 1", "SADD sh 1 2",
	} {
		c.feed(resp.AppendCommandStrings(nil, strings.Fields(cmd)...))
	}
	for _, k := range []string{"s", "i", "l", "si", "ss", "h", "z", "x", "lq", "hh", "zz", "sh"} {
		c.out = c.out[:0]
		c.feed(resp.AppendCommandStrings(nil, "DUMP", k))
		reply := string(c.out)
		if reply[0] != '$' {
			f.Fatalf("DUMP %s: %q", k, reply)
		}
		_, body, _ := strings.Cut(reply, "\r\n")
		f.Add([]byte(body[:len(body)-2-10])) // without CRLF and footer
	}
	c.feed(resp.AppendCommandStrings(nil, "FLUSHALL"))
	c.feed(resp.AppendCommandStrings(nil, "CONFIG", "SET", "list-max-listpack-size", "-2", "hash-max-listpack-entries", "128",
		"zset-max-listpack-entries", "128", "set-max-intset-entries", "512"))
	c.out = c.out[:0]
	f.Fuzz(func(t *testing.T, value []byte) {
		// Every input that finds new code is minimized by trying O(n²)
		// cuts of it, each running all the probes: inputs of 512 bytes
		// stalled the fuzzer for half a minute at a time.
		if len(value) > 256 {
			return
		}
		payload := rdb.AppendDumpFooter(bytes.Clone(value))
		req := resp.AppendCommand(nil, []byte("RESTORE"), []byte("k"), []byte("0"), payload, []byte("REPLACE"))
		for _, p := range restoreProbes {
			req = resp.AppendCommandStrings(req, p...)
		}
		c.feed(req)
		checkFuzzOutput(t, c)
		c.out = c.out[:0]
	})
}
