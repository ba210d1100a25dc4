package server

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// Command-path benchmarks for the collection types, without the network.
// They also report allocations, which the steady-state paths avoid.

type collBench struct {
	name  string
	setup [][]string
	cmd   []string
}

func collBenches() []collBench {
	hset := []string{"HSET", "h10"}
	for i := 1; i <= 10; i++ {
		hset = append(hset, "f"+strconv.Itoa(i), "xxxxxxxxxx")
	}
	var setup [][]string
	setup = append(setup, hset)
	lpush := []string{"RPUSH", "l600"}
	for i := 0; i < 600; i++ {
		lpush = append(lpush, "xxx")
	}
	setup = append(setup, lpush)
	zadd := []string{"ZADD", "z1k"}
	for i := 0; i < 1000; i++ {
		zadd = append(zadd, strconv.Itoa(i), "m:"+strconv.Itoa(i))
	}
	setup = append(setup, zadd)
	sadd := []string{"SADD", "s100"}
	for i := 0; i < 100; i++ {
		sadd = append(sadd, "m:"+strconv.Itoa(i))
	}
	setup = append(setup, sadd)
	return []collBench{
		{"HSET10", setup, hset},
		{"HGET", setup, []string{"HGET", "h10", "f5"}},
		{"HGETALL10", setup, []string{"HGETALL", "h10"}},
		{"LPUSH+LPOP", setup, []string{"LPUSH", "l600", "xxx"}},
		{"LRANGE100", setup, []string{"LRANGE", "l600", "0", "99"}},
		{"LRANGE600", setup, []string{"LRANGE", "l600", "0", "599"}},
		{"ZADD1K", setup, []string{"ZADD", "z1k", "500", "m:500"}},
		{"ZADD1Knew", setup, []string{"ZADD", "z1k", "500.5", "m:500"}},
		{"ZRANGE100of1K", setup, []string{"ZRANGE", "z1k", "100", "199", "WITHSCORES"}},
		{"ZSCORE", setup, []string{"ZSCORE", "z1k", "m:700"}},
		{"SADD100", setup, []string{"SADD", "s100", "m:50"}},
		{"SMEMBERS100", setup, []string{"SMEMBERS", "s100"}},
		{"SISMEMBER", setup, []string{"SISMEMBER", "s100", "m:50"}},
	}
}

// start returns a client with bc's setup done and the request to repeat.
func (bc collBench) start(tb testing.TB) (*Client, []byte) {
	c := newTestClient(tb)
	for _, s := range bc.setup {
		c.feed(resp.AppendCommandStrings(nil, s...))
	}
	c.out = c.out[:0]
	req := resp.AppendCommandStrings(nil, bc.cmd...)
	if bc.name == "LPUSH+LPOP" {
		req = resp.AppendCommandStrings(req, "LPOP", "l600")
	}
	return c, req
}

func BenchmarkCollections(b *testing.B) {
	for _, bc := range collBenches() {
		b.Run(bc.name, func(b *testing.B) {
			c, req := bc.start(b)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.feed(req)
				c.out = c.out[:0]
			}
		})
	}
}
