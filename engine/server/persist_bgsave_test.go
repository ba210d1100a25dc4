package server

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// infoInt reads an integer field of INFO persistence.
func infoInt(t *testing.T, info, field string) int64 {
	t.Helper()
	_, rest, ok := strings.Cut(info, "\r\n"+field+":")
	if !ok {
		t.Fatalf("INFO has no %s", field)
	}
	v, _, _ := strings.Cut(rest, "\r\n")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", field, err)
	}
	return n
}

// loadKeys pipelines SETs of n keys to value.
func loadKeys(t *testing.T, c *rawConn, n int, key func(int) string, value string) {
	t.Helper()
	var pipe []byte
	for i := 0; i < n; i++ {
		pipe = appendCmd(pipe, "SET", key(i), value)
	}
	c.send(pipe)
	for i := 0; i < n; i++ {
		if _, err := c.read(); err != nil {
			t.Fatal(err)
		}
	}
}

// writeDuring rewrites keys from the last one down (those a snapshot's
// walk reaches last) until INFO says the job ended, and returns how many
// writes were acknowledged while it ran.
func writeDuring(t *testing.T, c *rawConn, n int, key func(int) string, running string) int {
	t.Helper()
	during := 0
	for i := n - 1; i >= 0; i-- {
		c.mustDo("+OK\r\n", "SET", key(i), "new")
		if strings.Contains(c.do("INFO", "persistence"), "\r\n"+running+":0\r\n") {
			break
		}
		during++
	}
	if during == 0 {
		t.Fatalf("no write was acknowledged while the job ran (%s)", running)
	}
	t.Logf("%d writes acknowledged while the job ran", during)
	return during
}

// checkSnapshot checks an RDB (a dump or an AOF base) holds every key
// with its value from before the job started.
func checkSnapshot(t *testing.T, path string, n int, key func(int) string, old string) {
	t.Helper()
	got := loadStrings(t, path)
	if len(got) != n {
		t.Fatalf("snapshot has %d keys, want %d", len(got), n)
	}
	for i := 0; i < n; i++ {
		if v := got["0/"+key(i)]; v != old {
			t.Fatalf("%s = %q in the snapshot: a write made after the job started leaked in", key(i), v)
		}
	}
}

// BGSAVE does not stop writes: writes are acknowledged while it runs,
// each rewriting a key the snapshot has not saved yet, and the memory the
// snapshot holds for such keys stays bounded (serialized, then written
// out once snapFlushAt bytes are buffered) whatever the dataset's size.
func TestBgsaveDoesNotStopWrites(t *testing.T) {
	dir := t.TempDir()
	srv, _ := runServer(t, dir)
	c := dial(t, srv.addr())
	const n = 100000
	old := strings.Repeat("o", 100)
	key := func(i int) string { return fmt.Sprintf("k%06d", i) }
	loadKeys(t, c, n, key, old)
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	writeDuring(t, c, n, key, "rdb_bgsave_in_progress")
	info := waitInfo(t, c, "rdb_bgsave_in_progress", "0")
	if !strings.Contains(info, "rdb_last_bgsave_status:ok\r\n") {
		t.Fatal(info)
	}
	// The dataset is ~13 MB; what the snapshot buffered is about 1 MB.
	if held := infoInt(t, info, "rdb_last_cow_size"); held <= 0 || held > 2*snapFlushAt {
		t.Fatalf("the snapshot held %d bytes at its peak (bound %d)", held, 2*snapFlushAt)
	}
	checkSnapshot(t, filepath.Join(dir, "dump.rdb"), n, key, old)
}

// BGREWRITEAOF does not stop writes either: the new base is the dataset
// as the rewrite began, the writes acknowledged meanwhile are in the new
// incremental file, and a restart has them all.
func TestBgrewriteaofDoesNotStopWrites(t *testing.T) {
	dir := t.TempDir()
	srv, stop := runServer(t, dir, "--appendonly", "yes")
	c := dial(t, srv.addr())
	const n = 100000
	old := strings.Repeat("o", 100)
	key := func(i int) string { return fmt.Sprintf("k%06d", i) }
	loadKeys(t, c, n, key, old)
	c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	during := writeDuring(t, c, n, key, "aof_rewrite_in_progress")
	waitInfo(t, c, "aof_rewrites", "1")
	checkSnapshot(t, filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.rdb"), n, key, old)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	srv, _ = runServer(t, dir, "--appendonly", "yes")
	c = dial(t, srv.addr())
	for i := n - 1; i >= n-during; i-- {
		c.mustDo(bulk("new"), "GET", key(i))
	}
	c.mustDo(bulk(old), "GET", key(0))
}

// A failed SAVE leaves the previous dump as it was (the new one is
// written to a temp file and renamed only once complete and fsynced),
// and a good save leaves no temp file behind.
func TestFailedSaveKeepsDump(t *testing.T) {
	dir := t.TempDir()
	srv, _ := runServer(t, dir)
	c := dial(t, srv.addr())
	c.mustDo("+OK\r\n", "SET", "k", "old")
	c.mustDo("+OK\r\n", "SAVE")
	c.mustDo("+OK\r\n", "SET", "k", "new")
	blocker := filepath.Join(dir, "temp-"+strconv.Itoa(os.Getpid())+".rdb")
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	c.mustDo("-ERR\r\n", "SAVE")
	if got := loadStrings(t, filepath.Join(dir, "dump.rdb")); got["0/k"] != "old" {
		t.Fatalf("after a failed SAVE the dump holds %v", got)
	}
	os.Remove(blocker)
	c.mustDo("+OK\r\n", "SAVE")
	c.mustDo("+Background saving started\r\n", "BGSAVE")
	waitInfo(t, c, "rdb_saves", "3")
	if got := loadStrings(t, filepath.Join(dir, "dump.rdb")); got["0/k"] != "new" {
		t.Fatalf("the dump holds %v", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "dump.rdb" {
			t.Errorf("%s left in dir", e.Name())
		}
	}
}

// A killed server's half-written snapshots are removed at the next start;
// files of live processes and other files are kept.
func TestStaleTempFilesRemoved(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	dead, self := strconv.Itoa(gone.Process.Pid), strconv.Itoa(os.Getpid())
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	os.Mkdir(aofDir, 0o755)
	stale := []string{"temp-bg-" + dead + ".rdb", "temp-" + dead + ".rdb", "temp-bg-" + self + ".rdb",
		"appendonlydir/temp-rewriteaof-bg-" + dead + ".aof"}
	kept := []string{"temp-bg-1.rdb", "temp-x.rdb", "temp-bg-.rdb", "appendonlydir/temp-rewriteaof-bg-1.aof"}
	for _, name := range append(stale, kept...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := &logBuffer{t: t}
	runServerLog(t, dir, log)
	for _, name := range stale {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was not removed", name)
		}
		if !strings.Contains(log.String(), "Removed the temp file "+filepath.Base(name)) {
			t.Errorf("removing %s is not logged", name)
		}
	}
	for _, name := range kept { // pid 1 is alive
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed", name)
		}
	}
}
