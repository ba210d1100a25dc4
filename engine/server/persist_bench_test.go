package server

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
)

// benchServer builds a server (not running) holding n string keys like
// DEBUG POPULATE's: key:N -> 32-byte values.
func benchServer(b *testing.B, n int) *Server {
	b.Helper()
	cfg, err := config.Load([]string{"--dir", b.TempDir(), "--save", ""})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(cfg, Options{LogOut: testLogDiscard{}})
	if err != nil {
		b.Fatal(err)
	}
	db := s.ks.DB(0)
	val := []byte("value:xxxxxxxxxxxxxxxxxxxxxxxxxx")
	var key []byte
	for i := 0; i < n; i++ {
		key = strconv.AppendInt(append(key[:0], "key:"...), int64(i), 10)
		db.SetString(key, val, keyspace.SetOpts{})
	}
	return s
}

type testLogDiscard struct{}

func (testLogDiscard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkSave1M measures writing an RDB of 1M keys (what BGSAVE does,
// without a concurrent load).
func BenchmarkSave1M(b *testing.B) {
	s := benchServer(b, 1_000_000)
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, "dump.rdb")
		j, err := s.beginSnapshot(path+".tmp", path, false, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.finish(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if st, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		b.ReportMetric(float64(st.Size()), "bytes")
	}
}

// BenchmarkLoad1M measures loading that RDB into an empty server.
func BenchmarkLoad1M(b *testing.B) {
	s := benchServer(b, 1_000_000)
	path := filepath.Join(s.cfg.Get("dir"), "dump.rdb")
	j, err := s.beginSnapshot(path+".tmp", path, false, false)
	if err != nil {
		b.Fatal(err)
	}
	if err := j.finish(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg, _ := config.Load([]string{"--dir", s.cfg.Get("dir"), "--save", ""})
		t, _ := New(cfg, Options{LogOut: testLogDiscard{}})
		before := cpuTime()
		b.StartTimer()
		if err := t.persist.loadRDBFile(path); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - before
		b.StartTimer()
	}
	// CPU time (all threads, GC included) is steadier than wall time on a
	// shared machine.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
