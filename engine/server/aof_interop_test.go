package server

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/engine/internal/redistest"
)

// copyDir copies the regular files of src into dst (created).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
}

// rewriteAOF runs BGREWRITEAOF and waits until the rewrite count grows.
func rewriteAOF(t *testing.T, c *redis.Client) {
	t.Helper()
	ctx := context.Background()
	count := func() string {
		info, err := c.Info(ctx, "persistence").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(info, "aof_rewrites:")
		n, _, _ := strings.Cut(rest, "\r\n")
		return n
	}
	before := count()
	if err := c.BgRewriteAOF(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; count() == before; i++ {
		if i == 1000 {
			t.Fatal("the AOF rewrite did not finish")
		}
		sleepMs(10)
	}
}

// TestAOFInteropWithRedis moves AOF directories between redis-server 7.0
// and the engine, both ways: directories whose base a rewrite wrote (an
// RDB preamble, or commands) and, once, directories whose incremental
// file holds the whole dataset as the writing server propagated it. Each
// loads key for key the same on the other side.
func TestAOFInteropWithRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server (slow test)")
	}
	ctx := context.Background()
	// Consumers recreated by commands get a new seen-time.
	opts := redistest.Options{NoSeenTime: true}
	snapshot := func(from string) string {
		dir := t.TempDir()
		copyDir(t, filepath.Join(from, "appendonlydir"), filepath.Join(dir, "appendonlydir"))
		return dir
	}
	intoEngine := func(t *testing.T, dir string, want redistest.Dataset, directives ...string) (*Server, func() error) {
		t.Helper()
		eng, stop := runServer(t, dir, append([]string{"--appendonly", "yes"}, directives...)...)
		if eng == nil {
			t.Fatalf("the engine did not load redis-server's AOF: %v", stop())
		}
		if d := redistest.Diff(want, redistest.FetchWith(t, eng.addr(), 16, opts)); d != "" {
			t.Fatalf("the engine loaded redis-server's AOF differently:\n%s", d)
		}
		return eng, stop
	}
	intoRedis := func(t *testing.T, dir string, want redistest.Dataset) {
		t.Helper()
		r := redistest.Start(t, dir, "--appendonly", "yes")
		waitLoading(t, r.Addr)
		if d := redistest.Diff(want, redistest.FetchWith(t, r.Addr, 16, opts)); d != "" {
			t.Fatalf("redis-server loaded the engine's AOF differently:\n%s\nlog:\n%s", d, r.Log())
		}
		r.Stop()
	}
	for _, preamble := range []string{"yes", "no"} {
		commands := preamble == "yes" // the incremental-file case, once
		t.Run("preamble-"+preamble, func(t *testing.T) {
			src := redistest.Start(t, "", "--enable-debug-command", "yes", "--appendonly", "yes",
				"--aof-use-rdb-preamble", preamble)
			r := goredis(src.Addr)
			redistest.Populate(t, src.Addr, true)
			var incrDir string
			var incrWant redistest.Dataset
			if commands {
				incrDir, incrWant = snapshot(src.Dir), redistest.FetchWith(t, src.Addr, 16, opts)
			}
			rewriteAOF(t, r)
			r.SAdd(ctx, "after:redis", "x")
			want := redistest.FetchWith(t, src.Addr, 16, opts)
			src.Stop()
			if commands {
				_, stop := intoEngine(t, incrDir, incrWant)
				stop()
			}
			eng, stop := intoEngine(t, snapshot(src.Dir), want, "--aof-use-rdb-preamble", preamble)

			e := goredis(eng.addr())
			rewriteAOF(t, e)
			e.SAdd(ctx, "after:engine", "y")
			baseDir, baseWant := snapshot(eng.cfg.Get("dir")), redistest.FetchWith(t, eng.addr(), 16, opts)
			if commands {
				e.FlushAll(ctx)
				e.FunctionFlush(ctx)
				redistest.Populate(t, eng.addr(), false)
				incrWant = redistest.FetchWith(t, eng.addr(), 16, opts)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			intoRedis(t, baseDir, baseWant)
			if commands {
				intoRedis(t, snapshot(eng.cfg.Get("dir")), incrWant)
			}
		})
	}
}

// With the AOF on, INFO persistence has the fields redis-server's has
// (the AOF-only ones included), in the same order.
func TestInfoPersistenceFieldsWithAOF(t *testing.T) {
	ref := dial(t, startRedis(t, "--appendonly", "yes"))
	eng := dial(t, startServer(t, "--appendonly", "yes").addr())
	names := func(c *rawConn) []string {
		var out []string
		for _, line := range strings.Split(c.do("INFO", "persistence"), "\r\n") {
			if k, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(k, "$") {
				out = append(out, k)
			}
		}
		return out
	}
	want, got := names(ref), names(eng)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		sort.Strings(want)
		sort.Strings(got)
		t.Fatalf("INFO persistence fields with the AOF on:\nredis  %v\nengine %v", want, got)
	}
	if !strings.Contains(strings.Join(got, ","), "aof_current_size") {
		t.Fatalf("no AOF fields: %v", got)
	}
}
