package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/rdb"
)

// runServer starts an engine in dir and returns it with a function that
// stops it (gracefully, as SIGTERM does) and reports Run's error.
func runServer(t *testing.T, dir string, directives ...string) (*Server, func() error) {
	t.Helper()
	return runServerLog(t, dir, testLog{t}, directives...)
}

// runServerLog is runServer with the server's log going to logw.
func runServerLog(t *testing.T, dir string, logw io.Writer, directives ...string) (*Server, func() error) {
	t.Helper()
	return launchServer(t, append([]string{"--dir", dir, "--save", ""}, directives...), Options{LogOut: logw})
}

type testLog struct{ t *testing.T }

// logBuffer collects a server's log (and shows it with -v).
type logBuffer struct {
	t  *testing.T
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.b.Write(p)
	l.mu.Unlock()
	return testLog{l.t}.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l testLog) Write(p []byte) (int, error) {
	if testing.Verbose() {
		l.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func TestSaveAndLoadStrings(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "int", "12345")
	c.mustDo("+OK\r\n", "SET", "big", strings.Repeat("abc", 1000))
	c.mustDo("+OK\r\n", "SET", "ttl", "v", "PX", "100000000")
	c.mustDo("+OK\r\n", "SELECT", "7")
	c.mustDo("+OK\r\n", "SET", "db7", "seven")
	c.mustDo("+OK\r\n", "SET", "gone", "x", "PX", "1")
	time.Sleep(5 * time.Millisecond)
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:5\r\n") {
		t.Fatalf("dirty before save: %s", got)
	}
	c.mustDo("+OK\r\n", "SAVE")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:0\r\n") || !strings.Contains(got, "rdb_saves:1\r\n") {
		t.Fatalf("after save: %s", got)
	}
	if last := c.do("LASTSAVE"); last != ":"+strconv.FormatInt(time.Now().Unix(), 10)+"\r\n" && last != ":"+strconv.FormatInt(time.Now().Unix()-1, 10)+"\r\n" {
		t.Fatalf("LASTSAVE %q", last)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	srv, _ = runServer(t, dir)
	c = dial(t, srv.addr())
	c.mustDo(bulk("12345"), "GET", "int")
	c.mustDo("$3\r\nint\r\n", "OBJECT", "ENCODING", "int")
	c.mustDo(bulk(strings.Repeat("abc", 1000)), "GET", "big")
	if ttl := c.do("PTTL", "ttl"); ttl < ":99000000" {
		t.Fatalf("pttl %q", ttl)
	}
	c.mustDo("+OK\r\n", "SELECT", "7")
	c.mustDo(bulk("seven"), "GET", "db7")
	c.mustDo(":0\r\n", "EXISTS", "gone")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "rdb_last_load_keys_loaded:4\r\n") || !strings.Contains(got, "rdb_last_load_keys_expired:1\r\n") {
		t.Fatalf("load stats: %s", got)
	}
}

// waitInfo polls INFO persistence until field has value.
func waitInfo(t *testing.T, c *rawConn, field, value string) string {
	t.Helper()
	// A deadline, not a count: on a loaded machine a rewrite or a save of
	// the tests' datasets can take many seconds.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		info := c.do("INFO", "persistence")
		if strings.Contains(info, "\r\n"+field+":"+value+"\r\n") {
			return info
		}
	}
	t.Fatalf("%s never became %s", field, value)
	return ""
}

// loadStrings reads an RDB file written by the engine into a map.
func loadStrings(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := &stringCollector{m: map[string]string{}}
	if _, err := rdb.LoadBytes(data, h, rdb.LoadOptions{}); err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return h.m
}

type stringCollector struct {
	m  map[string]string
	db int
}

func (h *stringCollector) Aux(k, v []byte) error      { return nil }
func (h *stringCollector) Function(code []byte) error { return nil }
func (h *stringCollector) SelectDB(db int) error      { h.db = db; return nil }
func (h *stringCollector) ResizeDB(a, b uint64) error { return nil }
func (h *stringCollector) Key(k []byte, m rdb.KeyMeta, v *rdb.Value) error {
	name := strconv.Itoa(h.db) + "/" + string(k)
	if _, dup := h.m[name]; dup {
		return fmt.Errorf("duplicate key %s", name)
	}
	if v.IsInt {
		h.m[name] = strconv.FormatInt(v.Int, 10)
	} else {
		h.m[name] = string(v.Str)
	}
	return nil
}

// A BGSAVE is a point-in-time snapshot while writes go on: a client
// rewrites keys in order, so any consistent snapshot shows the new value
// on a prefix of them, and keys created after the snapshot are absent.
func TestBgsavePointInTime(t *testing.T) {
	dir := t.TempDir()
	srv, _ := runServer(t, dir)
	c := dial(t, srv.addr())
	const n = 20000
	var pipe []byte
	for i := 0; i < n; i++ {
		pipe = appendCmd(pipe, "SET", fmt.Sprintf("k%06d", i), "old")
	}
	c.send(pipe)
	for i := 0; i < n; i++ {
		if _, err := c.read(); err != nil {
			t.Fatal(err)
		}
	}
	writer := dial(t, srv.addr())
	stopWriter := make(chan struct{})
	done := make(chan int)
	go func() {
		i := 0
		for ; i < n; i++ {
			select {
			case <-stopWriter:
				done <- i
				return
			default:
			}
			k := fmt.Sprintf("k%06d", i)
			writer.send(appendCmd(appendCmd(nil, "SET", k, "new"), "SET", "x"+k, "created"))
			writer.read()
			writer.read()
		}
		done <- i
	}()
	time.Sleep(20 * time.Millisecond)
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	waitInfo(t, c, "rdb_bgsave_in_progress", "0")
	close(stopWriter)
	written := <-done
	got := loadStrings(t, filepath.Join(dir, "dump.rdb"))
	prefix := 0
	for prefix < n && got["0/"+fmt.Sprintf("k%06d", prefix)] == "new" {
		prefix++
	}
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("k%06d", i)
		want := "old"
		if i < prefix {
			want = "new"
		}
		if got["0/"+k] != want {
			t.Fatalf("%s = %q in the snapshot (new prefix %d, %d written): not a point in time", k, got["0/"+k], prefix, written)
		}
		_, created := got["0/x"+k]
		if created != (i < prefix) {
			t.Fatalf("x%s present=%v with new prefix %d", k, created, prefix)
		}
	}
	if prefix == 0 || prefix == written && written == n {
		t.Logf("snapshot boundary at %d of %d writes (a boundary at an end makes a weaker test)", prefix, written)
	}
}

func TestBgsaveReplies(t *testing.T) {
	srv, _ := runServer(t, t.TempDir())
	c := dial(t, srv.addr())
	c.mustDo("-ERR syntax error\r\n", "BGSAVE", "foo")
	c.mustDo("+OK\r\n", "MULTI")
	c.mustDo("+QUEUED\r\n", "BGSAVE")
	c.mustDo("*1\r\n+Background saving scheduled\r\n", "EXEC")
	waitInfo(t, c, "rdb_saves", "1")
	c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitInfo(t, c, "aof_rewrite_in_progress", "0")
	if _, err := os.Stat(filepath.Join(srv.cfg.Get("dir"), "appendonlydir", "appendonly.aof.manifest")); err != nil {
		t.Fatalf("BGREWRITEAOF with AOF off writes a manifest as Redis 7 does: %v", err)
	}
}

func TestAOFRestartAndRewrite(t *testing.T) {
	dir := t.TempDir()
	for _, fsync := range []string{"always", "everysec", "no"} {
		t.Run(fsync, func(t *testing.T) {
			dir := filepath.Join(dir, fsync)
			os.Mkdir(dir, 0o755)
			srv, stop := runServer(t, dir, "--appendonly", "yes", "--appendfsync", fsync)
			c := dial(t, srv.addr())
			c.mustDo("+OK\r\n", "SET", "a", "1")
			c.mustDo(":2\r\n", "INCR", "a")
			c.mustDo("+OK\r\n", "SELECT", "3")
			c.mustDo("+OK\r\n", "SET", "b", "x", "EX", "1000")
			c.mustDo("+OK\r\n", "MULTI")
			c.mustDo("+QUEUED\r\n", "APPEND", "b", "y")
			c.mustDo("+QUEUED\r\n", "SET", "c", "z")
			c.mustDo("*2\r\n:2\r\n+OK\r\n", "EXEC")
			c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			c.mustDo("+OK\r\n", "SET", "after", "rewrite")
			waitInfo(t, c, "aof_rewrite_in_progress", "0")
			c.mustDo("+OK\r\n", "SET", "after2", "rewrite")
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			srv, _ = runServer(t, dir, "--appendonly", "yes")
			c = dial(t, srv.addr())
			c.mustDo(bulk("2"), "GET", "a")
			c.mustDo("+OK\r\n", "SELECT", "3")
			c.mustDo(bulk("xy"), "GET", "b")
			c.mustDo(bulk("z"), "GET", "c")
			c.mustDo(bulk("rewrite"), "GET", "after")
			c.mustDo(bulk("rewrite"), "GET", "after2")
			if ttl := c.do("TTL", "b"); ttl != ":1000\r\n" && ttl != ":999\r\n" {
				t.Fatalf("ttl %q", ttl)
			}
			m, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
			if string(m) != "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
				t.Fatalf("manifest %q", m)
			}
		})
	}
}

// Keys that expired between being written and the AOF being replayed
// replay as they first ran: a read-modify-write on a key that was alive
// then must not start from scratch, and the key ends up expired.
func TestAOFReplayKeepsExpiredKeysUntilLoaded(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "n", "10", "PX", "300")
	c.mustDo(":11\r\n", "INCR", "n")
	c.mustDo("+OK\r\n", "SET", "keep", "v")
	stop()
	time.Sleep(350 * time.Millisecond)
	srv, _ = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	c.mustDo(":0\r\n", "EXISTS", "n")
	c.mustDo(bulk("v"), "GET", "keep")
}

func TestAOFTruncatedTailAndCorruptMiddle(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--appendonly", "yes")
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "a", "1")
	c.mustDo("+OK\r\n", "SET", "b", "2")
	stop()
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	f, _ := os.OpenFile(incr, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1")
	f.Close()

	_, stop = runServer(t, dir, "--appendonly", "yes", "--aof-load-truncated", "no")
	if err := stop(); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("aof-load-truncated no: %v", err)
	}
	log := &logBuffer{t: t}
	srv, stop = runServerLog(t, dir, log, "--appendonly", "yes")
	c = dial(t, srv.addr())
	c.mustDo(bulk("2"), "GET", "b")
	c.mustDo(":0\r\n", "EXISTS", "c")
	if !strings.Contains(log.String(), "AOF appendonly.aof.1.incr.aof truncated to offset") {
		t.Fatalf("the repair is not logged:\n%s", log)
	}
	c.mustDo("+OK\r\n", "SET", "d", "4")
	stop()

	data, _ := os.ReadFile(incr)
	i := strings.Index(string(data), "$1\r\nb")
	data[i] = '%'
	os.WriteFile(incr, data, 0o644)
	_, stop = runServer(t, dir, "--appendonly", "yes")
	err := stop()
	if err == nil || !strings.Contains(err.Error(), "Bad file format reading the append only file") || !strings.Contains(err.Error(), "check-aof --fix") {
		t.Fatalf("corrupt middle: %v", err)
	}
}

func TestConfigSetAppendonly(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "before", "1")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	c.mustDo("+OK\r\n", "SET", "during", "2")
	waitInfo(t, c, "aof_rewrites", "1")
	c.mustDo("+OK\r\n", "SET", "after", "3")
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "aof_enabled:1\r\n") {
		t.Fatal(info)
	}
	stop()
	srv, stop = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	for _, k := range []string{"before", "during", "after"} {
		c.mustDo(":1\r\n", "EXISTS", k)
	}
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	c.mustDo("+OK\r\n", "SET", "off", "4")
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "aof_enabled:0\r\n") {
		t.Fatal(info)
	}
	stop()
	srv, _ = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	c.mustDo(":0\r\n", "EXISTS", "off")
	c.mustDo(":1\r\n", "EXISTS", "after")
}

// After a failed BGSAVE, with save points and stop-writes-on-bgsave-error
// (the defaults), writes and PING fail with Redis's MISCONF error until a
// save succeeds.
func TestMisconfAfterFailedBgsave(t *testing.T) {
	dir := t.TempDir()
	srv, _ := runServer(t, dir, "--save", "3600", "1")
	c := dial(t, srv.addr())
	blocker := filepath.Join(dir, "temp-bg-"+strconv.Itoa(os.Getpid())+".rdb")
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	waitInfo(t, c, "rdb_last_bgsave_status", "err")
	want := "-" + errBgsaveMisconf + "\r\n"
	c.mustDo(want, "SET", "k", "v")
	c.mustDo(want, "PING")
	c.mustDo("$-1\r\n", "GET", "k")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	c.mustDo("+OK\r\n", "SET", "k", "v")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	c.mustDo(want, "SET", "k", "v2")
	os.Remove(blocker)
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	waitInfo(t, c, "rdb_last_bgsave_status", "ok")
	c.mustDo("+OK\r\n", "SET", "k", "v3")
	c.mustDo("+PONG\r\n", "PING")
}

// SAVE while an AOF rewrite runs waits for it (one snapshot at a time)
// and both complete; a BGSAVE asked for meanwhile is scheduled and runs.
func TestSaveDuringRewrite(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--appendonly", "yes")
	c := dial(t, srv.addr())
	var pipe []byte
	for i := 0; i < 50000; i++ {
		pipe = appendCmd(pipe, "SET", "k"+strconv.Itoa(i), strings.Repeat("v", 100))
	}
	c.send(pipe)
	for i := 0; i < 50000; i++ {
		if _, err := c.read(); err != nil {
			t.Fatal(err)
		}
	}
	c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	c.mustDo("+Background saving scheduled\r\n", "BGSAVE", "SCHEDULE")
	c.mustDo("+OK\r\n", "SAVE")
	waitInfo(t, c, "aof_rewrites", "1")
	waitInfo(t, c, "rdb_saves", "2")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := loadStrings(t, filepath.Join(dir, "dump.rdb"))
	if len(got) != 50000 {
		t.Fatalf("dump has %d keys", len(got))
	}
}

// FLUSHALL with save points saves the empty dataset at once, as Redis
// does: the flushed keys cannot come back from an older dump.
func TestFlushallSaves(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--save", "3600", "1")
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "k", "v")
	c.mustDo("+OK\r\n", "SAVE")
	c.mustDo("+OK\r\n", "SET", "k2", "v")
	c.mustDo("+OK\r\n", "FLUSHALL")
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:1\r\n") || !strings.Contains(info, "rdb_last_bgsave_time_sec:-1\r\n") {
		t.Fatalf("after FLUSHALL: %s", info)
	}
	c.send(appendCmd(nil, "SHUTDOWN", "NOSAVE"))
	c.read()
	stop()
	srv, _ = runServer(t, dir)
	c = dial(t, srv.addr())
	c.mustDo(":0\r\n", "DBSIZE")
}
