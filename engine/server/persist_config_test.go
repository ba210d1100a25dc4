package server

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/rdb"
)

// rdbcompression and rdbchecksum shape the file SAVE writes; a file whose
// checksum is wrong loads only with rdbchecksum no, as with Redis.
func TestRDBCompressionAndChecksum(t *testing.T) {
	compressible := strings.Repeat("abc", 100)
	const small = "xyz-0123456789" // too short to be compressed
	for _, on := range []string{"yes", "no"} {
		t.Run(on, func(t *testing.T) {
			dir := t.TempDir()
			srv, stop := runServer(t, dir, "--rdbcompression", on, "--rdbchecksum", on)
			c := dial(t, srv.addr())
			c.mustDo("+OK\r\n", "SET", "lzf", compressible)
			c.mustDo("+OK\r\n", "SET", "small", small)
			c.mustDo("+OK\r\n", "SAVE")
			stop()
			path := filepath.Join(dir, "dump.rdb")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if raw := bytes.Contains(data, []byte(compressible)); raw != (on == "no") {
				t.Fatalf("rdbcompression %s: value stored raw = %v", on, raw)
			}
			want := uint64(0) // no checksum
			if on == "yes" {
				want = rdb.CRC64(0, data[:len(data)-8])
			}
			if got := binary.LittleEndian.Uint64(data[len(data)-8:]); got != want {
				t.Fatalf("rdbchecksum %s: file ends with checksum %x, want %x", on, got, want)
			}
			srv, stop = runServer(t, dir)
			c = dial(t, srv.addr())
			c.mustDo(bulk(compressible), "GET", "lzf")
			stop()

			// A changed byte in a value keeps the file's structure valid.
			i := bytes.Index(data, []byte(small))
			data[i] = 'X'
			os.WriteFile(path, data, 0o644)
			_, stop = runServer(t, dir)
			err = stop()
			if on == "yes" && (err == nil || !strings.Contains(err.Error(), "wrong RDB checksum")) {
				t.Fatalf("a file with a bad checksum started the server: %v", err)
			}
			srv, _ = runServer(t, dir, "--rdbchecksum", "no")
			if srv == nil {
				t.Fatal("rdbchecksum no: the file did not load")
			}
			dial(t, srv.addr()).mustDo(bulk("X"+small[1:]), "GET", "small")
		})
	}
}

// SAVE and BGSAVE write dir/dbfilename, both also settable with CONFIG
// SET (protected configs), and a start loads that file.
func TestDbfilenameAndDir(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	srv, stop := runServer(t, dir, "--dbfilename", "custom.rdb", "--enable-protected-configs", "yes")
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "k", "v")
	c.mustDo("+OK\r\n", "SAVE")
	if _, err := os.Stat(filepath.Join(dir, "custom.rdb")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Fatal("SAVE wrote dump.rdb despite dbfilename")
	}
	c.mustDo("+OK\r\n", "CONFIG", "SET", "dir", other)
	c.mustDo("+OK\r\n", "CONFIG", "SET", "dbfilename", "moved.rdb")
	c.mustDo("+OK\r\n", "SET", "k2", "v2")
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	waitInfo(t, c, "rdb_saves", "2")
	if got := loadStrings(t, filepath.Join(other, "moved.rdb")); got["0/k"] != "v" || got["0/k2"] != "v2" {
		t.Fatalf("moved.rdb holds %v", got)
	}
	stop()

	srv, stop = runServer(t, other, "--dbfilename", "moved.rdb")
	dial(t, srv.addr()).mustDo(bulk("v2"), "GET", "k2")
	stop()
	srv, _ = runServer(t, dir) // dump.rdb: there is none
	dial(t, srv.addr()).mustDo(":0\r\n", "DBSIZE")
}

// save <seconds> <changes>: a BGSAVE starts once any point has both
// enough changes and enough time since the last save (the cron is driven
// with a clock ahead of the real one).
func TestSavePoints(t *testing.T) {
	dir := t.TempDir()
	log := &logBuffer{t: t}
	srv, _ := runServerLog(t, dir, log, "--save", "100 2 1000 1")
	c := dial(t, srv.addr())
	p := srv.persist
	start := time.Unix(srv.stats.lastSave.Load(), 0)
	at := func(secs int) time.Time { return start.Add(time.Duration(secs) * time.Second) }
	c.mustDo("+OK\r\n", "SET", "a", "1")
	for _, secs := range []int{50, 101, 999} {
		if p.savePointReached(at(secs)) {
			t.Fatalf("1 change after %ds reached a save point", secs)
		}
	}
	if !p.savePointReached(at(1001)) {
		t.Fatal("1 change after 1001s did not reach \"1000 1\"")
	}
	c.mustDo("+OK\r\n", "SET", "b", "2")
	if !p.savePointReached(at(101)) {
		t.Fatal("2 changes after 101s did not reach \"100 2\"")
	}
	p.cron(at(101))
	info := waitInfo(t, c, "rdb_saves", "1")
	if !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") || !strings.Contains(info, "rdb_last_bgsave_status:ok\r\n") {
		t.Fatalf("after the save point's BGSAVE:\n%s", info)
	}
	if !strings.Contains(log.String(), "2 changes in 100 seconds. Saving...") {
		t.Fatalf("the save point is not logged:\n%s", log)
	}
	if got := loadStrings(t, filepath.Join(dir, "dump.rdb")); got["0/a"] != "1" || got["0/b"] != "2" {
		t.Fatalf("dump holds %v", got)
	}
	// The save reset both the change count and the clock.
	if p.savePointReached(time.Now().Add(99 * time.Second)) {
		t.Fatal("a save point reached right after a save")
	}
}

// auto-aof-rewrite-percentage/-min-size: the AOF is rewritten when it has
// grown by the percentage since the last rewrite and is past the minimum
// size; percentage 0 turns it off.
func TestAutoAOFRewrite(t *testing.T) {
	log := &logBuffer{t: t}
	srv, _ := runServerLog(t, t.TempDir(), log, "--appendonly", "yes",
		"--auto-aof-rewrite-min-size", "64kb", "--auto-aof-rewrite-percentage", "100")
	c := dial(t, srv.addr())
	p := srv.persist
	write := func(n int) {
		var pipe []byte
		for i := 0; i < n; i++ {
			pipe = appendCmd(pipe, "SET", "k"+strconv.Itoa(i%1000), strings.Repeat("v", 100))
		}
		c.send(pipe)
		for i := 0; i < n; i++ {
			if _, err := c.read(); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(100) // ~14 KB: grown, but under the minimum size
	if p.autoRewriteDue() {
		t.Fatal("rewrite due under auto-aof-rewrite-min-size")
	}
	write(1000) // past 64 KB: the cron rewrites
	waitInfo(t, c, "aof_rewrites", "1")
	if !strings.Contains(log.String(), "Starting automatic rewriting of AOF on") {
		t.Fatalf("the automatic rewrite is not logged:\n%s", log)
	}
	write(100) // 10% growth on a base of 1000 keys
	if p.autoRewriteDue() {
		t.Fatalf("rewrite due after 10%% growth:\n%s", c.do("INFO", "persistence"))
	}
	write(2000) // twice the base
	waitInfo(t, c, "aof_rewrites", "2")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
	write(3000)
	if p.autoRewriteDue() {
		t.Fatal("rewrite due with auto-aof-rewrite-percentage 0")
	}
}

// At start the AOF is loaded when appendonly is on and one exists; else
// the RDB file. appendonly yes without an AOF yet loads the RDB and makes
// it the AOF's base.
func TestLoadOrder(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "from", "rdb")
	c.mustDo("+OK\r\n", "SET", "rdbonly", "1")
	c.mustDo("+OK\r\n", "SAVE")
	stop()

	srv, stop = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	c.mustDo(bulk("rdb"), "GET", "from")
	c.mustDo("+OK\r\n", "SET", "from", "aof")
	c.mustDo(":1\r\n", "DEL", "rdbonly")
	stop() // no save points: dump.rdb keeps the old data

	srv, stop = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	c.mustDo(bulk("aof"), "GET", "from")
	c.mustDo(":0\r\n", "EXISTS", "rdbonly")
	stop()

	srv, _ = runServer(t, dir, "--appendonly", "no")
	c = dial(t, srv.addr())
	c.mustDo(bulk("rdb"), "GET", "from")
	c.mustDo(":1\r\n", "EXISTS", "rdbonly")
}

type metaCollector struct {
	stringCollector
	meta map[string]rdb.KeyMeta
}

func (h *metaCollector) Key(k []byte, m rdb.KeyMeta, v *rdb.Value) error {
	h.meta[string(k)] = m
	return nil
}

// Under an LFU policy an RDB carries each key's access frequency, under
// an LRU policy its idle time (Redis's FREQ and IDLE opcodes), and a start
// with such a policy restores them.
func TestRDBKeepsIdleAndFreq(t *testing.T) {
	const payload = "\x00\x05hello\n\x00cr\xdfve4 \n" // DUMP of "hello"
	for _, tc := range []struct {
		policy, opt string
		n           int64
	}{
		{"allkeys-lfu", "FREQ", 9},
		{"allkeys-lru", "IDLETIME", 5000},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			dir := t.TempDir()
			srv, stop := runServer(t, dir, "--maxmemory-policy", tc.policy)
			c := dial(t, srv.addr())
			c.mustDo("+OK\r\n", "RESTORE", "k", "0", payload, tc.opt, strconv.FormatInt(tc.n, 10))
			c.mustDo("+OK\r\n", "SAVE")
			stop()
			data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			h := &metaCollector{meta: map[string]rdb.KeyMeta{}}
			if _, err := rdb.LoadBytes(data, h, rdb.LoadOptions{}); err != nil {
				t.Fatal(err)
			}
			m := h.meta["k"]
			if got := map[string]int64{"FREQ": int64(m.Freq), "IDLETIME": m.Idle}[tc.opt]; got < tc.n || got > tc.n+1 {
				t.Fatalf("the file stores %s %d for the key (meta %+v)", tc.opt, got, m)
			}
			srv, _ = runServer(t, dir, "--maxmemory-policy", tc.policy)
			got := dial(t, srv.addr()).do("OBJECT", tc.opt, "k") // OBJECT FREQ, OBJECT IDLETIME
			if want := ":" + strconv.FormatInt(tc.n, 10) + "\r\n"; got != want && got != ":"+strconv.FormatInt(tc.n+1, 10)+"\r\n" {
				t.Fatalf("OBJECT %s after the restart: %q, want %q", tc.opt, got, want)
			}
		})
	}
}
