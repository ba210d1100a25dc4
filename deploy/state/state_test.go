package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/providers"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "st")}
	st, err := s.Load("demo", "local")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Empty() || st.Lineage != "" || st.Serial != 0 {
		t.Fatalf("new state = %+v, want empty without lineage", st)
	}
	st.Put(Entry{Resource: providers.Resource{Type: "node", Name: "node-1", ID: "b"}})
	st.Put(Entry{Resource: providers.Resource{Type: "node", Name: "node-0", ID: "a"}})
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	if st.Lineage == "" || st.Serial != 1 {
		t.Fatalf("after first save lineage=%q serial=%d", st.Lineage, st.Serial)
	}
	fi, err := os.Stat(s.Path("demo"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("demo", "local")
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 2 || got.Lineage != st.Lineage {
		t.Errorf("loaded serial=%d lineage=%q, want 2 and %q", got.Serial, got.Lineage, st.Lineage)
	}
	if len(got.Resources) != 2 || got.Resources[0].Name != "node-0" {
		t.Errorf("resources not kept in address order: %+v", got.Resources)
	}
	if _, err := os.Stat(s.Path("demo") + ".backup"); err != nil {
		t.Errorf("no backup of the previous state: %v", err)
	}
}

func TestLoadRejectsOtherProviderAndNewerFormat(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	st := New("demo", "local")
	st.Put(Entry{Resource: providers.Resource{Type: "node", Name: "node-0"}})
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("demo", "aws"); err == nil || !strings.Contains(err.Error(), `runs on provider "local"`) {
		t.Errorf("load with another provider: err = %v", err)
	}
	b, _ := os.ReadFile(s.Path("demo"))
	var raw map[string]any
	json.Unmarshal(b, &raw)
	raw["format_version"] = 99
	b, _ = json.Marshal(raw)
	os.WriteFile(s.Path("demo"), b, 0o600)
	if _, err := s.Load("demo", "local"); err == nil || !strings.Contains(err.Error(), "upgrade redisctl") {
		t.Errorf("load of a newer format: err = %v", err)
	}
}

func TestLockIsExclusiveAndNamesHolder(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	l, err := s.Lock("demo", "apply", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Lock("demo", "destroy", time.Minute)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second lock: err = %v, want *LockedError", err)
	}
	if le.Info.Operation != "apply" || le.Info.PID != os.Getpid() || !strings.Contains(err.Error(), "locked by") {
		t.Errorf("locked error does not name the holder: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := s.Lock("demo", "destroy", time.Minute)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

func TestStaleLocksAreTakenOver(t *testing.T) {
	host, _ := os.Hostname()
	for name, info := range map[string]LockInfo{
		"expired lease":      {ID: "x", Host: "elsewhere", PID: 1, Expires: time.Now().Add(-time.Second)},
		"dead holder here":   {ID: "y", Host: host, PID: deadPID(t), Expires: time.Now().Add(time.Hour)},
		"unreadable garbage": {},
	} {
		t.Run(name, func(t *testing.T) {
			s := &Store{Dir: t.TempDir()}
			path := filepath.Join(s.Dir, "demo.lock")
			b, _ := json.Marshal(info)
			if info.ID == "" {
				b = []byte("{not json")
			}
			os.WriteFile(path, b, 0o600)
			l, err := s.Lock("demo", "apply", time.Minute)
			if err != nil {
				t.Fatalf("stale lock not taken over: %v", err)
			}
			l.Release()
		})
	}
	t.Run("live holder elsewhere", func(t *testing.T) {
		s := &Store{Dir: t.TempDir()}
		b, _ := json.Marshal(LockInfo{ID: "z", Host: "elsewhere", PID: 1, Expires: time.Now().Add(time.Hour)})
		os.WriteFile(filepath.Join(s.Dir, "demo.lock"), b, 0o600)
		if _, err := s.Lock("demo", "apply", time.Minute); err == nil {
			t.Fatal("took a live lock held on another host")
		}
	})
}

func TestLockLeaseIsRenewed(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	l, err := s.Lock("demo", "apply", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	first, _ := readLock(l.path)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		cur, _ := readLock(l.path)
		if cur.Expires.After(first.Expires) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("lease was never renewed")
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	p.Wait()
	return p.Pid
}
