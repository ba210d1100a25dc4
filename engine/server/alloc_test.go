package server

import (
	"testing"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/resp"
)

type nopConn struct{}

func (nopConn) wake(*Client)  {}
func (nopConn) close(*Client) {}

// newTestClient builds a server and a client without a network, for
// measuring the command path.
func newTestClient(t testing.TB) *Client {
	cfg, err := config.Load([]string{"--dir", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s.newClient(nopConn{}, 0, nil, nil, s.newLoopStats())
}

// TestHotPathDoesNotAllocate checks that the commands redis-benchmark
// hammers run without heap allocations once warmed up: the garbage
// collector then has nothing to do on the request path.
func TestHotPathDoesNotAllocate(t *testing.T) {
	c := newTestClient(t)
	for _, cmd := range [][]string{
		{"SET", "key:000000001234", "xxx"},
		{"GET", "key:000000001234"},
		{"INCR", "counter:000000001234"},
		{"PING"},
		{"EXISTS", "key:000000001234"},
		{"DEL", "nokey"},
	} {
		req := resp.AppendCommandStrings(nil, cmd...)
		c.feed(req)
		c.out = c.out[:0]
		allocs := testing.AllocsPerRun(200, func() {
			c.feed(req)
			c.out = c.out[:0]
		})
		if allocs > 0 {
			t.Errorf("%v: %.1f allocations per command", cmd, allocs)
		}
	}
}

func BenchmarkSetGet(b *testing.B) {
	c := newTestClient(b)
	var req []byte
	for i := 0; i < 16; i++ {
		req = resp.AppendCommandStrings(req, "SET", "key:000000001234", "xxx")
		req = resp.AppendCommandStrings(req, "GET", "key:000000001234")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	for i := 0; i < b.N; i++ {
		c.feed(req)
		c.out = c.out[:0]
	}
}
