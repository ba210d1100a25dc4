package server

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedis runs a go-redis v9 session against the engine in RESP3 (the
// library's default, with HELLO) and in RESP2.
func TestGoRedis(t *testing.T) {
	srv := startServer(t, "--requirepass", "secret")
	for _, proto := range []int{3, 2} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: srv.addr(), Password: "secret", Protocol: proto, DB: 0})
			defer rdb.Close()
			goRedisSession(ctx, t, rdb)
		})
	}
}

func goRedisSession(ctx context.Context, t *testing.T, rdb *redis.Client) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.FlushAll(ctx).Err())
	must(rdb.Set(ctx, "k", "v", time.Minute).Err())
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET missing: %v", err)
	}
	if ttl, _ := rdb.TTL(ctx, "k").Result(); ttl < 50*time.Second || ttl > time.Minute {
		t.Fatalf("TTL = %v", ttl)
	}
	if n, _ := rdb.IncrBy(ctx, "n", 7).Result(); n != 7 {
		t.Fatalf("INCRBY = %d", n)
	}
	if f, _ := rdb.IncrByFloat(ctx, "f", 0.5).Result(); f != 0.5 {
		t.Fatalf("INCRBYFLOAT = %v", f)
	}
	if err := rdb.Incr(ctx, "k").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Fatalf("INCR on a string: %v", err)
	}
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 50; i++ {
			p.Set(ctx, "p:"+strconv.Itoa(i), i, 0)
		}
		p.MGet(ctx, "p:0", "p:49", "nope")
		return nil
	})
	must(err)
	if got := cmds[len(cmds)-1].(*redis.SliceCmd).Val(); got[0] != "0" || got[1] != "49" || got[2] != nil {
		t.Fatalf("MGET in pipeline = %v", got)
	}
	// Optimistic locking with WATCH.
	must(rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Get(ctx, "n").Int()
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "n", n*2, 0)
			return nil
		})
		return err
	}, "n"))
	if n, _ := rdb.Get(ctx, "n").Int(); n != 14 {
		t.Fatalf("n after transaction = %d", n)
	}
	// A transaction broken by another client's write.
	err = rdb.Watch(ctx, func(tx *redis.Tx) error {
		must(rdb.Set(ctx, "n", 0, 0).Err())
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "n", 99, 0)
			return nil
		})
		return err
	}, "n")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("broken transaction: %v", err)
	}
	var keys []string
	iter := rdb.Scan(ctx, 0, "p:1*", 5).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	must(iter.Err())
	sort.Strings(keys)
	if len(keys) != 11 || keys[0] != "p:1" {
		t.Fatalf("SCAN p:1* = %v", keys)
	}
	// Pub/sub (RESP3 push messages with protocol 3).
	sub := rdb.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	must(rdb.Publish(ctx, "news", "hello").Err())
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Payload != "hello" || msg.Channel != "news" {
		t.Fatalf("message = %+v, %v", msg, err)
	}
	must(rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err())
	if cfg, _ := rdb.ConfigGet(ctx, "maxmemory-policy").Result(); cfg["maxmemory-policy"] != "allkeys-lru" {
		t.Fatalf("CONFIG GET = %v", cfg)
	}
	must(rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err())
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil || !contains(info, "redis_version:7.0.15") {
		t.Fatalf("INFO = %q, %v", info, err)
	}
	if n, _ := rdb.DBSize(ctx).Result(); n < 50 {
		t.Fatalf("DBSIZE = %d", n)
	}
	if b, _ := rdb.SetBit(ctx, "bits", 7, 1).Result(); b != 0 {
		t.Fatal("SETBIT")
	}
	if n, _ := rdb.BitCount(ctx, "bits", nil).Result(); n != 1 {
		t.Fatal("BITCOUNT")
	}
	if n, _ := rdb.PFAdd(ctx, "hll", "a", "b").Result(); n != 1 {
		t.Fatal("PFADD")
	}
	if n, _ := rdb.PFCount(ctx, "hll").Result(); n != 2 {
		t.Fatal("PFCOUNT")
	}
	if ok, _ := rdb.SetNX(ctx, "k", "x", 0).Result(); ok {
		t.Fatal("SETNX on an existing key")
	}
	if v, _ := rdb.GetEx(ctx, "k", time.Hour).Result(); v != "v" {
		t.Fatal("GETEX")
	}
	if n, _ := rdb.Del(ctx, "k", "n", "missing").Result(); n != 2 {
		t.Fatalf("DEL = %d", n)
	}
	goRedisIntrospection(ctx, t, rdb)
}

// goRedisIntrospection reads what cluster routing and tools read through
// go-redis's own parsers: the command table, client, INFO, SLOWLOG, TIME.
func goRedisIntrospection(ctx context.Context, t *testing.T, rdb *redis.Client) {
	cmds, err := rdb.Command(ctx).Result()
	if err != nil {
		t.Fatalf("COMMAND: %v", err)
	}
	if c := cmds["get"]; c == nil || c.Arity != 2 || c.FirstKeyPos != 1 || c.LastKeyPos != 1 || !c.ReadOnly {
		t.Fatalf("COMMAND get = %+v", c)
	}
	if c := cmds["mset"]; c == nil || c.FirstKeyPos != 1 || c.LastKeyPos != -1 || c.StepCount != 2 || c.ReadOnly {
		t.Fatalf("COMMAND mset = %+v", c)
	}
	if keys, err := rdb.CommandGetKeys(ctx, "mset", "a", "1", "b", "2").Result(); err != nil || strings.Join(keys, ",") != "a,b" {
		t.Fatalf("COMMAND GETKEYS = %v, %v", keys, err)
	}
	if names, err := rdb.CommandList(ctx, &redis.FilterBy{Pattern: "pfc*"}).Result(); err != nil || strings.Join(names, ",") != "pfcount" {
		t.Fatalf("COMMAND LIST = %v, %v", names, err)
	}
	ci, err := rdb.ClientInfo(ctx).Result()
	if err != nil || ci.ID <= 0 || ci.DB != 0 || ci.User != "default" {
		t.Fatalf("CLIENT INFO = %+v, %v", ci, err)
	}
	if err := rdb.Set(ctx, "n", 42, 0).Err(); err != nil {
		t.Fatal(err)
	}
	im, err := rdb.InfoMap(ctx, "server", "keyspace").Result()
	if err != nil || im["Server"]["redis_version"] != "7.0.15" || !strings.HasPrefix(im["Keyspace"]["db0"], "keys=") {
		t.Fatalf("INFO = %v, %v", im, err)
	}
	if enc, _ := rdb.ObjectEncoding(ctx, "n").Result(); enc != "int" {
		t.Fatalf("OBJECT ENCODING = %q", enc)
	}
	if n, _ := rdb.MemoryUsage(ctx, "n").Result(); n <= 0 {
		t.Fatalf("MEMORY USAGE = %d", n)
	}
	if now, err := rdb.Time(ctx).Result(); err != nil || time.Since(now).Abs() > time.Minute {
		t.Fatalf("TIME = %v, %v", now, err)
	}
	rdb.SlowLogReset(ctx)
	rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0")
	rdb.Get(ctx, "n")
	logs, err := rdb.SlowLogGet(ctx, 10).Result()
	rdb.ConfigSet(ctx, "slowlog-log-slower-than", "10000")
	found := false
	for _, l := range logs {
		found = found || strings.Join(l.Args, " ") == "get n"
	}
	if err != nil || !found {
		t.Fatalf("SLOWLOG GET = %+v, %v", logs, err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
