package redistest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Populate fills a server with every type and encoding Redis 7.0 writes
// to RDB files, in databases 0, 1 and 5, and a function library. With
// debug (redis-server started with --enable-debug-command yes) it also
// makes a list with plain quicklist nodes.
func Populate(t testing.TB, addr string, debug bool) {
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
	if debug {
		do(0, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000")
	}
	do(0, "RPUSH", "list:plain", "a", strings.Repeat("P", 2000), "b", randStr(3000))
	if debug {
		do(0, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")
	}

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
