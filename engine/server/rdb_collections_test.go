package server

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/rdb"
	"github.com/redisctl/redisctl/engine/types"
)

// Collections survive an RDB round trip in both directions: a dump the
// engine writes loads into redis-server, and a dump redis-server writes
// loads into the engine, with the same contents and encodings.

// rdbCollectionsData builds every collection encoding.
func rdbCollectionsData(c *rawConn) {
	c.do("HSET", "h:small", "a", "1", "b", "two", "n", "-12345678901")
	args := []string{"HSET", "h:big"}
	for i := 0; i < 600; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	c.do(args...)
	c.do("HSET", "h:long", "x", strings.Repeat("y", 100))
	c.do("SADD", "s:int", "1", "-5", "100000", "5000000000")
	c.do("SADD", "s:str", "a", "b", "c")
	args = []string{"SADD", "s:bigint"}
	for i := 0; i < 700; i++ {
		args = append(args, strconv.Itoa(i*3))
	}
	c.do(args...)
	c.do("ZADD", "z:small", "1.5", "a", "-2", "b", "inf", "c", "0.1", "d")
	args = []string{"ZADD", "z:big"}
	for i := 0; i < 300; i++ {
		args = append(args, strconv.Itoa(i%17)+".25", "m"+strconv.Itoa(i))
	}
	c.do(args...)
	c.do("RPUSH", "l:small", "a", "1", "-2", "bb")
	args = []string{"RPUSH", "l:big"}
	for i := 0; i < 3000; i++ {
		args = append(args, "element-"+strconv.Itoa(i))
	}
	c.do(args...)
	c.do("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania")
	c.do("PEXPIRE", "h:small", "100000000")
}

var rdbCollectionsReads = [][]string{
	{"HGETALL", "h:small"}, {"OBJECT", "ENCODING", "h:small"}, {"HLEN", "h:big"}, {"HGET", "h:big", "f599"},
	{"OBJECT", "ENCODING", "h:big"}, {"HGET", "h:long", "x"}, {"OBJECT", "ENCODING", "h:long"},
	{"SMEMBERS", "s:int"}, {"OBJECT", "ENCODING", "s:int"}, {"SCARD", "s:str"}, {"SISMEMBER", "s:str", "b"},
	{"OBJECT", "ENCODING", "s:str"}, {"SCARD", "s:bigint"}, {"OBJECT", "ENCODING", "s:bigint"},
	{"ZRANGE", "z:small", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "z:small"},
	{"ZRANGE", "z:big", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "z:big"},
	{"LRANGE", "l:small", "0", "-1"}, {"LRANGE", "l:big", "1000", "1010"}, {"LLEN", "l:big"},
	{"OBJECT", "ENCODING", "l:big"}, {"GEOPOS", "geo", "Palermo", "Catania"}, {"DBSIZE"},
}

func compareRDBReads(t *testing.T, want, got *rawConn) {
	t.Helper()
	for _, cmd := range rdbCollectionsReads {
		w, g := sortedReply([]byte(want.do(cmd...))), sortedReply([]byte(got.do(cmd...)))
		if w != g {
			t.Errorf("%q after load:\n  redis:  %q\n  engine: %q", cmd, w, g)
		}
	}
	if ttl := got.do("PTTL", "h:small"); ttl < ":99000000" {
		t.Errorf("expire lost: PTTL %q", ttl)
	}
}

func TestCollectionsRDBEngineToRedis(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir)
	c := dial(t, srv.addr())
	rdbCollectionsData(c)
	c.mustDo("+OK\r\n", "SAVE")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	rdir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rdir, "engine.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	ref := dial(t, startRedis(t, "--dir", rdir, "--dbfilename", "engine.rdb"))
	srv2, _ := runServer(t, dir)
	compareRDBReads(t, ref, dial(t, srv2.addr()))
}

func TestCollectionsRDBRedisToEngine(t *testing.T) {
	rdir := t.TempDir()
	ref := dial(t, startRedis(t, "--dir", rdir, "--dbfilename", "redis.rdb"))
	rdbCollectionsData(ref)
	ref.mustDo("+OK\r\n", "SAVE")
	data, err := os.ReadFile(filepath.Join(rdir, "redis.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := runServer(t, dir)
	compareRDBReads(t, ref, dial(t, srv.addr()))
}

// A collection loads with the encoding the running server's limits give,
// whatever the limits of the server that saved it, and goes on converting
// at those limits: as redis-server does (rdbLoadObject converts at the
// configured thresholds), and as if it had been built by commands.
func TestCollectionsRDBLoadFollowsLimits(t *testing.T) {
	small := []string{"--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8",
		"--zset-max-listpack-entries", "3", "--zset-max-listpack-value", "8",
		"--set-max-intset-entries", "3"}
	for _, tc := range []struct {
		name       string
		save, load []string
	}{
		{"default to small", nil, small},
		{"small to default", small, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, stop := runServer(t, dir, tc.save...)
			c := dial(t, srv.addr())
			limitsData(c)
			c.mustDo("+OK\r\n", "SAVE")
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			ref := dial(t, startRedis(t, append([]string{"--dir", dir}, tc.load...)...))
			srv2, _ := runServer(t, dir, tc.load...)
			got := dial(t, srv2.addr())
			for _, cmd := range limitsReads {
				w, g := sortedReply([]byte(ref.do(cmd...))), sortedReply([]byte(got.do(cmd...)))
				if w != g {
					t.Errorf("%q after load:\n  redis:  %q\n  engine: %q", cmd, w, g)
				}
			}
		})
	}
}

// limitsData builds collections on both sides of the limits of
// TestCollectionsRDBLoadFollowsLimits.
func limitsData(c *rawConn) {
	c.do("HSET", "h4", "a", "1", "b", "2", "c", "3", "d", "4")
	c.do("HSET", "h5", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
	c.do("HSET", "hv", "a", "0123456789")
	c.do("ZADD", "z3", "1", "a", "2", "b", "3", "c")
	c.do("ZADD", "z4", "1", "a", "2", "b", "3", "c", "4", "d")
	c.do("ZADD", "zv", "1", "0123456789")
	c.do("SADD", "s3", "1", "2", "3")
	c.do("SADD", "s4", "1", "2", "3", "4")
}

var limitsReads = [][]string{
	{"OBJECT", "ENCODING", "h4"}, {"OBJECT", "ENCODING", "h5"}, {"OBJECT", "ENCODING", "hv"},
	{"OBJECT", "ENCODING", "z3"}, {"OBJECT", "ENCODING", "z4"}, {"OBJECT", "ENCODING", "zv"},
	{"OBJECT", "ENCODING", "s3"}, {"OBJECT", "ENCODING", "s4"},
	{"HGETALL", "h5"}, {"ZRANGE", "z4", "0", "-1", "WITHSCORES"}, {"SMEMBERS", "s4"},
	// One more element crosses the limits where commands would.
	{"HSET", "h4", "e", "5"}, {"OBJECT", "ENCODING", "h4"},
	{"ZADD", "z3", "4", "d"}, {"OBJECT", "ENCODING", "z3"},
	{"SADD", "s3", "4"}, {"OBJECT", "ENCODING", "s3"},
}

// The default limits of the RDB writer and of the collection types are
// the configuration's defaults (which diff_config_test.go checks against
// redis-server's CONFIG GET).
func TestDefaultLimitsMatchConfig(t *testing.T) {
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	r, ty := rdb.DefaultLimits, types.DefaultLimits
	for _, c := range []struct {
		param     string
		rdb, coll int64
	}{
		{"hash-max-listpack-entries", int64(r.HashMaxListpackEntries), ty.HashMaxEntries},
		{"hash-max-listpack-value", int64(r.HashMaxListpackValue), ty.HashMaxValue},
		{"set-max-intset-entries", int64(r.SetMaxIntsetEntries), ty.SetMaxIntset},
		{"zset-max-listpack-entries", int64(r.ZSetMaxListpackEntries), ty.ZsetMaxEntries},
		{"zset-max-listpack-value", int64(r.ZSetMaxListpackValue), ty.ZsetMaxValue},
		{"list-max-listpack-size", int64(r.ListMaxListpackSize), ty.ListFill},
	} {
		if want := cfg.Int(c.param); c.rdb != want || c.coll != want {
			t.Errorf("%s: rdb.DefaultLimits %d, types.DefaultLimits %d, config default %d", c.param, c.rdb, c.coll, want)
		}
	}
}
