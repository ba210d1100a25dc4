package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/engine/internal/redistest"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func goredis(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1})
}

// TestRDBRoundTripWithRedis moves a dataset with every type and encoding
// Redis 7.0 writes through both servers' RDB files: redis-server → its RDB
// → engine → engine RDB → redis-server → its RDB → engine, comparing every
// key (type, value, expire time) at each step.
func TestRDBRoundTripWithRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server (slow test)")
	}
	ctx := context.Background()
	src := redistest.Start(t, "", "--enable-debug-command", "yes")
	redistest.Populate(t, src.Addr, true)
	want := redistest.Fetch(t, src.Addr, 16)
	if len(want) < 30 {
		t.Fatalf("dataset has only %d keys", len(want))
	}
	if err := goredis(src.Addr).Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	// loadInEngine starts the engine on a copy of rdb and checks that it
	// holds want.
	loadInEngine := func(rdb, what string) (dir string, srv *Server, stop func() error) {
		t.Helper()
		dir = t.TempDir()
		copyFile(t, rdb, filepath.Join(dir, "dump.rdb"))
		srv, stop = runServer(t, dir)
		if srv == nil {
			t.Fatalf("engine did not load %s: %v", what, stop())
		}
		if d := redistest.Diff(want, redistest.Fetch(t, srv.addr(), 16)); d != "" {
			t.Fatalf("engine loaded %s differently:\n%s", what, d)
		}
		return dir, srv, stop
	}
	dir1, eng1, stop1 := loadInEngine(filepath.Join(src.Dir, "dump.rdb"), "redis-server's RDB")

	// DUMP payloads: identical wherever the layout is unique (listpacks,
	// intsets, strings, single-node lists, streams).
	e, r := goredis(eng1.addr()), goredis(src.Addr)
	for _, key := range []string{"str:int", "str:int64", "str:lzf", "str:long", "str:rand", "list:small", "set:intset", "set:intset64",
		"hash:lp", "zset:lp", "zset:sl", "stream:s", "stream:new", "stream:emptied"} {
		theirs, err1 := r.Dump(ctx, key).Result()
		ours, err2 := e.Dump(ctx, key).Result()
		if err1 != nil || err2 != nil || ours != theirs {
			t.Errorf("DUMP %s differs (%v, %v):\n redis  %q\n engine %q", key, err1, err2, clipStr(theirs), clipStr(ours))
		}
	}
	if err := e.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	stop1()

	dst := redistest.Start(t, "", "--sanitize-dump-payload", "yes")
	dst.Stop()
	copyFile(t, filepath.Join(dir1, "dump.rdb"), filepath.Join(dst.Dir, "dump.rdb"))
	dst = redistest.Start(t, dst.Dir, "--sanitize-dump-payload", "yes")
	waitLoading(t, dst.Addr)
	if d := redistest.Diff(want, redistest.Fetch(t, dst.Addr, 16)); d != "" {
		t.Fatalf("redis-server loaded the engine's RDB differently:\n%s\nlog:\n%s", d, dst.Log())
	}
	libs, err := goredis(dst.Addr).Do(ctx, "FUNCTION", "LIST").Result()
	if err != nil || !strings.Contains(strings.Join(flatten(libs), " "), "mylib") {
		t.Fatalf("function library lost on the way: %v %v", libs, err)
	}
	if err := goredis(dst.Addr).Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	loadInEngine(filepath.Join(dst.Dir, "dump.rdb"), "the round-tripped RDB")
}

func waitLoading(t *testing.T, addr string) {
	t.Helper()
	c := goredis(addr)
	defer c.Close()
	for i := 0; i < 1000; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		sleepMs(20)
	}
	t.Fatal("redis-server still loading")
}

func flatten(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	case string:
		return []string{x}
	}
	return nil
}

func clipStr(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func sleepMs(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }

// TestAOFAllTypes rewrites an AOF holding every type and encoding, with
// and without an RDB preamble, replays it, and compares every key.
func TestAOFAllTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server (slow test)")
	}
	ctx := context.Background()
	src := redistest.Start(t, "", "--enable-debug-command", "yes")
	redistest.Populate(t, src.Addr, true)
	if err := goredis(src.Addr).Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble-"+preamble, func(t *testing.T) {
			dir := t.TempDir()
			copyFile(t, filepath.Join(src.Dir, "dump.rdb"), filepath.Join(dir, "dump.rdb"))
			eng, stop := runServer(t, dir, "--aof-use-rdb-preamble", preamble)
			c := dial(t, eng.addr())
			c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
			waitInfo(t, c, "aof_rewrites", "1")
			// More writes after the rewrite land in the incremental file.
			c.mustDo(":1\r\n", "SADD", "after", "x")
			stop()
			os.Remove(filepath.Join(dir, "dump.rdb"))
			eng, _ = runServer(t, dir, "--appendonly", "yes")
			if eng == nil {
				t.Fatal("engine did not start from its AOF")
			}
			// Consumers recreated by commands get a new seen-time, as
			// with Redis's own rewrite.
			opts := redistest.Options{NoSeenTime: preamble == "no"}
			want := redistest.FetchWith(t, src.Addr, 16, opts)
			got := redistest.FetchWith(t, eng.addr(), 16, opts)
			if got["0/after"].Type != "set" {
				t.Fatalf("write after the rewrite lost: %+v", got["0/after"])
			}
			delete(got, "0/after")
			if d := redistest.Diff(want, got); d != "" {
				t.Fatalf("AOF replay differs:\n%s", d)
			}
			libs, err := goredis(eng.addr()).Do(ctx, "FUNCTION", "LIST").Result()
			if err != nil || !strings.Contains(strings.Join(flatten(libs), " "), "mylib") {
				t.Fatalf("function library lost in the AOF: %v %v", libs, err)
			}
		})
	}
}
