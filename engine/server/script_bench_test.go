package server

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// benchPipelined sends b.N copies of the command built by cmd(i) over
// conns connections, depth commands at a time, and reads every reply.
func benchPipelined(b *testing.B, addr string, conns, depth int, cmd func(i int) []byte) {
	var wg sync.WaitGroup
	per := b.N / conns
	b.ResetTimer()
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Error(err)
				return
			}
			defer nc.Close()
			r := bufio.NewReaderSize(nc, 64*1024)
			var buf []byte
			for sent := 0; sent < per; {
				buf = buf[:0]
				n := min(depth, per-sent)
				for j := 0; j < n; j++ {
					buf = append(buf, cmd(c*per+sent+j)...)
				}
				if _, err := nc.Write(buf); err != nil {
					b.Error(err)
					return
				}
				for j := 0; j < n; j++ {
					if _, err := resp.ReadReply(r, nil); err != nil {
						b.Error(err)
						return
					}
				}
				sent += n
			}
		}(c)
	}
	wg.Wait()
}

const rateLimiterScript = `local c = redis.call("INCR", KEYS[1]) redis.call("EXPIRE", KEYS[1], ARGV[1]) return c`

// BenchmarkEvalSHA measures EVALSHA of a small rate limiter (INCR +
// EXPIRE) through the whole server, for profiling (go test -bench
// EvalSHA -cpuprofile).
func BenchmarkEvalSHA(b *testing.B) {
	srv := startServer(b)
	c := dial(b, srv.addr())
	sha := strings.TrimSpace(strings.Split(c.do("SCRIPT", "LOAD", rateLimiterScript), "\r\n")[1])
	keys := make([][]byte, 1000)
	for i := range keys {
		keys[i] = resp.AppendCommandStrings(nil, "EVALSHA", sha, "1", "rl:"+itoa(int64(i)), "60")
	}
	benchPipelined(b, srv.addr(), 50, 16, func(i int) []byte { return keys[i%len(keys)] })
}

// BenchmarkXAdd measures XADD * into one stream.
func BenchmarkXAdd(b *testing.B) {
	srv := startServer(b)
	cmd := resp.AppendCommandStrings(nil, "XADD", "bench:s", "*", "f", "v")
	benchPipelined(b, srv.addr(), 50, 16, func(int) []byte { return cmd })
}

// BenchmarkXReadGroup measures XREADGROUP ... COUNT 1 STREAMS s > on a
// pre-filled stream.
func BenchmarkXReadGroup(b *testing.B) {
	srv := startServer(b)
	c := dial(b, srv.addr())
	var fill []byte
	for i := 1; i <= b.N+100; i++ {
		fill = append(fill, resp.AppendCommandStrings(nil, "XADD", "bench:q", itoa(int64(i))+"-0", "f", "v")...)
	}
	c.send(fill)
	for i := 1; i <= b.N+100; i++ {
		c.read()
	}
	c.mustDo("+OK\r\n", "XGROUP", "CREATE", "bench:q", "g", "0")
	cmd := resp.AppendCommandStrings(nil, "XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "bench:q", ">")
	benchPipelined(b, srv.addr(), 50, 16, func(int) []byte { return cmd })
}
