package server

import (
	"bufio"
	"bytes"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// parseScanReply splits a [cursor, [elements...]] reply.
func parseScanReply(t *testing.T, raw string) (string, []string) {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader([]byte(raw)))
	readBulk := func() string {
		line, _ := r.ReadString('\n')
		n, _ := strconv.Atoi(line[1 : len(line)-2])
		buf := make([]byte, n+2)
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	if line, _ := r.ReadString('\n'); line != "*2\r\n" {
		t.Fatalf("scan reply %q", raw)
	}
	cursor := readBulk()
	line, _ := r.ReadString('\n')
	n, _ := strconv.Atoi(line[1 : len(line)-2])
	out := make([]string, n)
	for i := range out {
		out[i] = readBulk()
	}
	return cursor, out
}

// TestCollectionScansNeverMiss checks HSCAN, SSCAN and ZSCAN over large
// (hashtable/skiplist) values return every element present for the whole
// scan while other elements are added and removed between calls, which
// makes the tables grow and shrink.
func TestCollectionScansNeverMiss(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv.addr())
	for _, typ := range []struct{ scan, add, del string }{
		{"HSCAN", "HSET", "HDEL"}, {"SSCAN", "SADD", "SREM"}, {"ZSCAN", "ZADD", "ZREM"},
	} {
		key := "k" + typ.scan
		addArgs := func(m string) []string {
			switch typ.add {
			case "HSET":
				return []string{"HSET", key, m, "v"}
			case "ZADD":
				return []string{"ZADD", key, "1", m}
			}
			return []string{"SADD", key, m}
		}
		var batch []byte
		for i := 0; i < 2000; i++ {
			batch = resp.AppendCommandStrings(batch, addArgs("stable"+strconv.Itoa(i))...)
		}
		c.send(batch)
		for i := 0; i < 2000; i++ {
			if _, err := c.read(); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		cursor, step, next := "0", 0, 0
		for {
			reply := c.do(typ.scan, key, cursor, "COUNT", "20")
			var elems []string
			cursor, elems = parseScanReply(t, reply)
			for i, e := range elems {
				if typ.scan == "SSCAN" || i%2 == 0 {
					seen[e] = true
				}
			}
			// Churn: add 30 transient elements, then drop most of them.
			for j := 0; j < 30; j++ {
				c.do(addArgs("tmp" + strconv.Itoa(next))...)
				next++
			}
			for j := next - 30; j < next-2; j++ {
				c.do(typ.del, key, "tmp"+strconv.Itoa(j))
			}
			step++
			if cursor == "0" || step > 10000 {
				break
			}
		}
		if cursor != "0" {
			t.Fatalf("%s did not finish", typ.scan)
		}
		for i := 0; i < 2000; i++ {
			if m := "stable" + strconv.Itoa(i); !seen[m] {
				t.Fatalf("%s missed %s", typ.scan, m)
			}
		}
	}
}
