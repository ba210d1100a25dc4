package aof

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestManifestRoundTrip(t *testing.T) {
	in := "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
	m, err := ParseManifest([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Bytes()) != in || m.LastIncrSeq() != 2 || len(m.Files()) != 3 {
		t.Fatalf("round trip: %q", m.Bytes())
	}
	q, err := ParseManifest([]byte("file \"my file.aof\" seq 3 type i\n"))
	if err != nil || q.Incr[0].Name != "my file.aof" || !strings.Contains(string(q.Bytes()), `"my file.aof"`) {
		t.Fatalf("quoted name: %v %+v", err, q)
	}
	for _, bad := range []string{
		"", "file a seq 1 type b\nfile b seq 1 type b\n", "file a seq 2 type i\nfile b seq 1 type i\n",
		"file a seq x type i\n", "file ../a seq 1 type i\n", "file a seq 1 type z\n", "file \"a seq 1 type i\n",
	} {
		if _, err := ParseManifest([]byte(bad)); !errors.Is(err, ErrManifest) {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func readAll(t *testing.T, data []byte) ([]string, error) {
	cr := NewCommandReader(bytes.NewReader(data), 0)
	var out []string
	for {
		argv, err := cr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var parts []string
		for _, a := range argv {
			parts = append(parts, string(a))
		}
		out = append(out, strings.Join(parts, " "))
	}
}

func TestLogAppendRotate(t *testing.T) {
	dir := t.TempDir()
	f1, _ := os.Create(filepath.Join(dir, "1.aof"))
	l := NewLog(f1, 0, FsyncAlways, nil)
	l.Append(0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")})
	l.Append(0, [][]byte{[]byte("DEL"), []byte("k")})
	l.Append(3, [][]byte{[]byte("SET"), []byte("x"), []byte("")})
	if !l.Pending() {
		t.Fatal("nothing pending after appends")
	}
	if err := l.Flush(); err != nil || l.Pending() {
		t.Fatalf("flush: %v pending %v", err, l.Pending())
	}
	f2, _ := os.Create(filepath.Join(dir, "2.aof"))
	old, err := l.Rotate(f2)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	l.Append(3, [][]byte{[]byte("INCR"), []byte("n")})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	d1, _ := os.ReadFile(filepath.Join(dir, "1.aof"))
	d2, _ := os.ReadFile(filepath.Join(dir, "2.aof"))
	c1, err1 := readAll(t, d1)
	c2, err2 := readAll(t, d2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if strings.Join(c1, "|") != "SELECT 0|SET k v|DEL k|SELECT 3|SET x " || strings.Join(c2, "|") != "SELECT 3|INCR n" {
		t.Fatalf("files: %q %q", c1, c2)
	}
}

// Every prefix of a valid stream is either valid (it ends on a command
// boundary) or reported as truncated with the right offset to keep.
func TestTruncatedPrefixes(t *testing.T) {
	data := appendCommand(nil, []byte("SET"), []byte("a"), []byte("1"))
	data = append(data, "#TS:1700000000\r\n"...)
	data = appendCommand(data, []byte("MULTI"))
	data = appendCommand(data, []byte("INCR"), []byte("a"))
	data = appendCommand(data, []byte("EXEC"))
	data = appendCommand(data, []byte("DEL"), []byte("a"))
	boundaries := map[int]bool{}
	cr := NewCommandReader(bytes.NewReader(data), 0)
	boundaries[0] = true
	for {
		if _, err := cr.Next(); err != nil {
			break
		}
		boundaries[int(cr.ValidUpTo)] = true
	}
	for i := 0; i <= len(data); i++ {
		cr := NewCommandReader(bytes.NewReader(data[:i]), 0)
		var err error
		for err == nil {
			_, err = cr.Next()
		}
		switch {
		case err == io.EOF && !boundaries[i]:
			t.Fatalf("prefix %d accepted but is not a boundary", i)
		case err != io.EOF && !errors.Is(err, ErrTruncated):
			t.Fatalf("prefix %d: %v", i, err)
		case errors.Is(err, ErrTruncated) && (!boundaries[int(cr.ValidUpTo)] || int(cr.ValidUpTo) > i):
			t.Fatalf("prefix %d: keep %d", i, cr.ValidUpTo)
		}
	}
	if _, err := readAll(t, []byte("*1\r\n$4\r\nPING\r\nxyz")); !errors.Is(err, ErrFormat) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestLoaderRepairsTruncatedTail(t *testing.T) {
	dir := t.TempDir()
	n := Names{"appendonly.aof"}
	good := appendCommand(nil, []byte("SET"), []byte("a"), []byte("1"))
	os.WriteFile(filepath.Join(dir, n.Incr(1)), good, 0o644)
	os.WriteFile(filepath.Join(dir, n.Incr(2)), append(append([]byte(nil), good...), "*3\r\n$3\r\nSET\r\n$1\r\nb"...), 0o644)
	m := &Manifest{Incr: []FileInfo{{n.Incr(1), 1, Incr}, {n.Incr(2), 2, Incr}}}
	var got []string
	l := &Loader{Dir: dir, Exec: func(argv [][]byte) error { got = append(got, string(argv[1])); return nil }}
	if _, err := l.Load(m); !errors.Is(err, ErrTruncated) {
		t.Fatalf("without repair: %v", err)
	}
	got = nil
	l.RepairTruncated = true
	st, err := l.Load(m)
	if err != nil || st.Repaired != n.Incr(2) || len(got) != 2 {
		t.Fatalf("repair: %v %+v %v", err, st, got)
	}
	if fi, _ := os.Stat(filepath.Join(dir, n.Incr(2))); fi.Size() != int64(len(good)) {
		t.Fatalf("size after repair %d", fi.Size())
	}
	// A truncated file that is not the last one is never repaired.
	os.WriteFile(filepath.Join(dir, n.Incr(1)), good[:len(good)-1], 0o644)
	if _, err := l.Load(m); err == nil || !strings.Contains(err.Error(), "not the last file") {
		t.Fatalf("truncated middle file: %v", err)
	}
}

func FuzzCommandReader(f *testing.F) {
	f.Add(appendCommand(nil, []byte("SET"), []byte("k"), []byte("v")))
	f.Add([]byte("#TS:1\r\n*1\r\n$5\r\nMULTI\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := NewCommandReader(bytes.NewReader(data), 0)
		for i := 0; i < 1000; i++ {
			if _, err := cr.Next(); err != nil {
				if cr.ValidUpTo > int64(len(data)) {
					t.Fatalf("valid up to %d of %d", cr.ValidUpTo, len(data))
				}
				return
			}
		}
	})
}

// Under everysec, what is written is fsynced within about a second, so a
// machine crash loses at most the last ~2 seconds (Redis's bound).
func TestEverysecFsyncCadence(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "1.aof"))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLog(f, 0, FsyncEverySec, nil)
	defer l.Close()
	l.Append(0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")})
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if l.synced.Load() != 0 {
		t.Fatal("everysec fsynced on the write path")
	}
	start := time.Now()
	for l.synced.Load() < l.written.Load() {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("not fsynced %v after the write", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A corrupt argument count reserves nothing: the reader fails at the end
// of the input without a large allocation.
func TestCorruptArgumentCountAllocatesNothing(t *testing.T) {
	cr := NewCommandReader(bytes.NewReader([]byte("*1048576\r\n$3\r\nSET\r\n")), 0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := cr.Next()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Fatalf("%d bytes allocated for a corrupt command", n)
	}
}
