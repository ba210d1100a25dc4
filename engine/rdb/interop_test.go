package rdb

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/engine/internal/redistest"
)

// populate fills a redis-server with every type and encoding Redis 7.0
// writes to RDB files, in databases 0, 1 and 5.
func populate(t *testing.T, addr string) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	do := func(db int, args ...any) {
		t.Helper()
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2, MaxRetries: -1})
		defer c.Close()
		if err := c.Do(ctx, args...).Err(); err != nil && err != redis.Nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	randStr := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	far := time.Now().Add(100 * 24 * time.Hour).UnixMilli()

	do(0, "SET", "str:int", "12345")
	do(0, "SET", "str:int64", "123456789012345")
	do(0, "SET", "str:neg", "-7")
	do(0, "SET", "str:short", "hello")
	do(0, "SET", "str:empty", "")
	do(0, "SET", "str:lzf", strings.Repeat("abc", 100))
	do(0, "SET", "str:rand", randStr(200))
	do(0, "SET", "str:long", strings.Repeat("the quick brown fox "+randStr(3), 5000))
	do(0, "SET", "str:leading0", "0123")
	do(0, "SET", "ttl:str", "v", "PXAT", far)
	do(0, "SET", "ttl:str2", "v2", "PXAT", far+1234)

	do(0, "RPUSH", "list:small", "a", "b", "1", "2", "-3", strings.Repeat("long", 30), "9223372036854775807")
	for i := 0; i < 2000; i++ {
		do(0, "RPUSH", "list:big", fmt.Sprintf("element-%d-%s", i, strings.Repeat("x", i%50)))
	}
	do(0, "CONFIG", "SET", "list-compress-depth", "1")
	for i := 0; i < 2000; i++ {
		do(0, "RPUSH", "list:compressed", fmt.Sprintf("compressible-%d", i%10))
	}
	do(0, "CONFIG", "SET", "list-compress-depth", "0")
	do(0, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000")
	do(0, "RPUSH", "list:plain", "a", strings.Repeat("P", 2000), "b", randStr(3000))
	do(0, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")

	do(0, "SADD", "set:intset", "1", "2", "3", "-5", "100000")
	do(0, "SADD", "set:intset64", "1", "1099511627776", "-1099511627776")
	do(0, "SADD", "set:ht", "a", "b", "c", "1")
	for i := 0; i < 600; i++ {
		do(0, "SADD", "set:bigints", strconv.Itoa(i*7))
		do(0, "SADD", "set:big", "member-"+strconv.Itoa(i))
	}

	do(0, "HSET", "hash:lp", "f", "v", "f2", "123", "neg", "-42", "empty", "")
	for i := 0; i < 200; i++ {
		do(0, "HSET", "hash:ht", "field-"+strconv.Itoa(i), "value-"+strconv.Itoa(i))
	}
	do(0, "HSET", "hash:bigval", "f", strings.Repeat("v", 100))
	do(0, "HSET", "ttl:hash", "a", "b")
	do(0, "PEXPIREAT", "ttl:hash", far+99)

	do(0, "ZADD", "zset:lp", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0", "e", "1e300", "f", "-0.125", "g", "3", "h")
	for i := 0; i < 200; i++ {
		do(0, "ZADD", "zset:sl", strconv.FormatFloat(r.Float64()*1000-500, 'g', -1, 64), "m"+strconv.Itoa(i))
	}
	do(0, "ZADD", "zset:sl", "7", "same1", "7", "same2", "inf", "top", "-inf", "bottom")
	do(0, "ZADD", "zset:bigmember", "1", strings.Repeat("m", 100))

	for i := 0; i < 6; i++ {
		if i%2 == 0 {
			do(0, "XADD", "stream:s", fmt.Sprintf("1-%d", i+1), "name", "n"+strconv.Itoa(i), "n", strconv.Itoa(i))
		} else {
			do(0, "XADD", "stream:s", fmt.Sprintf("1-%d", i+1), "other", "o", "x", "y", "z", "w")
		}
	}
	do(0, "XDEL", "stream:s", "1-3")
	do(0, "XGROUP", "CREATE", "stream:s", "g1", "0")
	do(0, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream:s", ">")
	do(0, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream:s", ">")
	do(0, "XACK", "stream:s", "g1", "1-1")
	do(0, "XGROUP", "CREATE", "stream:s", "g2", "$")
	do(0, "XGROUP", "CREATECONSUMER", "stream:s", "g2", "carol")
	for i := 0; i < 300; i++ {
		do(0, "XADD", "stream:big", "*", "i", strconv.Itoa(i), "payload", strings.Repeat("p", i%20))
	}
	do(0, "XADD", "stream:emptied", "5-5", "f", "v")
	do(0, "XDEL", "stream:emptied", "5-5")
	do(0, "XGROUP", "CREATE", "stream:new", "g", "$", "MKSTREAM")

	do(1, "SET", "db1:key", "one")
	do(1, "RPUSH", "db1:list", "x")
	do(5, "SET", "db5:ttl", "five", "PXAT", far)
	do(0, "FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 1 end)")
}

// collect is a Handler that renders keys as redistest.Keys.
type collect struct {
	db        int
	data      redistest.Dataset
	values    map[string]Value
	aux       map[string]string
	functions []string
}

func newCollect() *collect {
	return &collect{data: redistest.Dataset{}, values: map[string]Value{}, aux: map[string]string{}}
}

func (c *collect) Aux(k, v []byte) error { c.aux[string(k)] = string(v); return nil }
func (c *collect) Function(code []byte) error {
	c.functions = append(c.functions, string(code))
	return nil
}
func (c *collect) SelectDB(db int) error      { c.db = db; return nil }
func (c *collect) ResizeDB(a, b uint64) error { return nil }
func (c *collect) Key(k []byte, m KeyMeta, v *Value) error {
	name := redistest.Name(c.db, string(k))
	c.data[name] = Canon(v, m.ExpireAt)
	cp := *v
	cp.Str = bytes.Clone(v.Str)
	cp.Elems = append([][]byte(nil), v.Elems...)
	cp.Z = append([]ZEntry(nil), v.Z...)
	c.values[name] = cp
	return nil
}

// Canon renders a decoded value like redistest.Fetch renders a live key.
func Canon(v *Value, expireAt int64) redistest.Key {
	k := redistest.Key{Type: v.Kind.String(), ExpireAt: expireAt}
	strs := func(b [][]byte) []string {
		out := make([]string, len(b))
		for i, e := range b {
			out[i] = string(e)
		}
		return out
	}
	switch v.Kind {
	case KindString:
		k.Value = string(v.Str)
		if v.IsInt {
			k.Value = strconv.FormatInt(v.Int, 10)
		}
	case KindList:
		k.Value = redistest.CanonList(strs(v.Elems))
	case KindSet:
		k.Value = redistest.CanonSet(strs(v.Elems))
	case KindHash:
		k.Value = redistest.CanonHash(strs(v.Elems))
	case KindZSet:
		var z []redistest.ZMember
		for _, e := range v.Z {
			z = append(z, redistest.ZMember{Member: string(e.Member), Score: e.Score})
		}
		k.Value = redistest.CanonZSet(z)
	case KindStream:
		k.Value = redistest.CanonStream(canonStream(v.Stream))
	}
	return k
}

func fmtID(id StreamID) string { return fmt.Sprintf("%d-%d", id.Ms, id.Seq) }

func canonStream(s *Stream) redistest.Stream {
	out := redistest.Stream{LastID: fmtID(s.LastID), FirstID: fmtID(s.FirstID), MaxDeletedID: fmtID(s.MaxDeletedID), EntriesAdded: int64(s.EntriesAdded)}
	for _, n := range s.Nodes {
		StreamNodeEach(n, func(e *StreamEntry) error {
			if !e.Deleted {
				line := fmtID(e.ID)
				for _, f := range e.Fields {
					line += " " + string(f)
				}
				out.Entries = append(out.Entries, line)
			}
			return nil
		})
	}
	for _, g := range s.Groups {
		grp := redistest.Group{Name: string(g.Name), LastID: fmtID(g.LastID), EntriesRead: strconv.FormatInt(g.EntriesRead, 10)}
		if g.EntriesRead < 0 {
			grp.EntriesRead = "nil"
		}
		for _, p := range g.PEL {
			grp.Pending = append(grp.Pending, fmt.Sprintf("%s %s %d %d", fmtID(p.ID), g.Consumers[p.Consumer].Name, p.DeliveryTime, p.DeliveryCount))
		}
		for _, c := range g.Consumers {
			line := fmt.Sprint(string(c.Name), " ", c.SeenTime)
			for _, id := range c.PEL {
				line += " " + fmtID(id)
			}
			grp.Consumers = append(grp.Consumers, line)
		}
		out.Groups = append(out.Groups, grp)
	}
	return out
}

func loadFile(t *testing.T, path string) *collect {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := newCollect()
	res, err := Load(f, c, LoadOptions{})
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if res.Version != 10 || res.ChecksumSkipped {
		t.Fatalf("version %d, checksum skipped %v", res.Version, res.ChecksumSkipped)
	}
	return c
}

func redisDo(t *testing.T, addr string, args ...any) any {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1})
	defer c.Close()
	v, err := c.Do(context.Background(), args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// TestRedisFileInterop decodes a file written by redis-server 7.0 with
// every encoding, checks it against the server's contents, writes it back
// with this package's encoder and has a second redis-server load that.
func TestRedisFileInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server (slow test)")
	}
	src := redistest.Start(t, "", "--enable-debug-command", "yes")
	populate(t, src.Addr)
	want := redistest.Fetch(t, src.Addr, 16)
	redisDo(t, src.Addr, "SAVE")
	got := loadFile(t, filepath.Join(src.Dir, "dump.rdb"))
	if d := redistest.Diff(want, got.data); d != "" {
		t.Fatalf("decoded file differs from the server:\n%s", d)
	}
	if got.aux["redis-ver"] != "7.0.15" || len(got.functions) != 1 || !strings.Contains(got.functions[0], "mylib") {
		t.Fatalf("aux %v functions %q", got.aux, got.functions)
	}
	for _, name := range []string{"0/list:compressed", "0/list:plain", "0/set:intset", "0/hash:lp", "0/zset:sl", "0/stream:s"} {
		if _, ok := got.values[name]; !ok {
			t.Fatalf("no %s", name)
		}
	}
	if got.values["0/list:plain"].Enc != TypeListQuicklist2 || got.values["0/zset:sl"].Enc != TypeZSet2 || got.values["0/set:intset"].Enc != TypeSetIntset {
		t.Fatal("unexpected encodings: the dataset no longer covers what it should")
	}

	// Write the decoded dataset back and have redis-server load it.
	dir := t.TempDir()
	var buf bytes.Buffer
	w := NewWriter(&buf, true)
	b := AppendHeader(nil)
	b = AppendAux(b, "redis-ver", "7.0.15")
	b = AppendAux(b, "redis-bits", "64")
	b = AppendFunction(b, []byte(got.functions[0]))
	z := NewCompressor()
	for db := 0; db < 16; db++ {
		first := true
		for name, v := range got.values {
			if !strings.HasPrefix(name, strconv.Itoa(db)+"/") {
				continue
			}
			if first {
				b = AppendSelectDB(b, db)
				first = false
			}
			b = AppendKeyHeader(b, KeyMeta{ExpireAt: want[name].ExpireAt, Idle: -1, Freq: -1}, 0, nil, nil)[:len(b)+keyHeaderLen(want[name].ExpireAt)]
			key := name[strings.IndexByte(name, '/')+1:]
			v := v
			enc := AppendValue(nil, &v, z, DefaultLimits)
			b = append(b, enc[0])
			b = AppendString(b, []byte(key), z)
			b = append(b, enc[1:]...)
		}
	}
	w.Write(b)
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := redistest.Start(t, dir, "--sanitize-dump-payload", "yes")
	waitLoaded(t, dst.Addr)
	if d := redistest.Diff(want, redistest.Fetch(t, dst.Addr, 16)); d != "" {
		t.Fatalf("redis-server loaded our file differently:\n%s\nlog:\n%s", d, dst.Log())
	}

	// DUMP payloads: ours must RESTORE on redis-server and, where the
	// encoding has a unique layout, be byte-identical to Redis's.
	ordered := map[string]bool{ // hashtables are written in dict order
		"0/set:ht": false, "0/set:big": false, "0/hash:ht": false, "0/hash:bigval": true, "0/list:big": false, "0/list:compressed": false,
		"0/list:plain": false, "0/stream:big": false,
	}
	for name, v := range got.values {
		if !strings.HasPrefix(name, "0/") {
			continue
		}
		key := name[2:]
		v := v
		payload := AppendDumpFooter(AppendValue(nil, &v, NewCompressor(), DefaultLimits))
		theirs := redisDo(t, src.Addr, "DUMP", key).(string)
		if exact, listed := ordered[name]; (!listed || exact) && theirs != string(payload) {
			t.Errorf("DUMP %s differs:\n redis % x\n ours  % x", key, clip([]byte(theirs)), clip(payload))
		}
		var back Value
		if err := DecodeDump([]byte(theirs), &back, false); err != nil {
			t.Errorf("decode redis DUMP of %s: %v", key, err)
		} else if Canon(&back, 0) != Canon(&v, 0) {
			t.Errorf("redis DUMP of %s decodes differently", key)
		}
		redisDo(t, dst.Addr, "RESTORE", key+":restored", 0, string(payload))
	}
	after := redistest.Fetch(t, dst.Addr, 1)
	for name, k := range after {
		if orig, ok := strings.CutSuffix(name, ":restored"); ok {
			w := want[orig]
			w.ExpireAt = 0
			if k != w {
				t.Errorf("RESTORE of our DUMP of %s gives %+v", orig, k)
			}
		}
	}
}

func keyHeaderLen(expireAt int64) int {
	if expireAt != 0 {
		return 9
	}
	return 0
}

func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func waitLoaded(t *testing.T, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1})
	defer c.Close()
	for i := 0; i < 500; i++ {
		if err := c.Ping(context.Background()).Err(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server still loading")
}
