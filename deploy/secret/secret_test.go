package secret

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/topology"
)

func TestResolveSources(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("from-file\n"), 0o600)
	t.Setenv("REDISCTL_TEST_PW", "from-env")
	r := &Resolver{BaseDir: dir, GeneratedDir: filepath.Join(dir, "gen")}

	for _, tc := range []struct {
		ref  topology.SecretRef
		want string
		ok   bool
		err  string
	}{
		{topology.SecretRef{}, "", true, ""},
		{topology.SecretRef{Source: topology.SecretEnv, Name: "REDISCTL_TEST_PW"}, "from-env", true, ""},
		{topology.SecretRef{Source: topology.SecretEnv, Name: "REDISCTL_TEST_UNSET"}, "", false, "REDISCTL_TEST_UNSET, which is not set"},
		{topology.SecretRef{Source: topology.SecretFile, Name: "pw.txt"}, "from-file", true, ""},
		{topology.SecretRef{Source: topology.SecretFile, Name: "missing.txt"}, "", false, "missing.txt"},
		{topology.SecretRef{Source: topology.SecretGenerate}, "", false, ""},
	} {
		v, ok, err := r.Resolve(tc.ref, "password")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Resolve(%v) err = %v, want it to mention %q", tc.ref, err, tc.err)
			}
			continue
		}
		if err != nil || v != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%v) = %q, %v, %v; want %q, %v", tc.ref, v, ok, err, tc.want, tc.ok)
		}
	}
}

func TestEnsureGeneratesOnceAndStoresPrivately(t *testing.T) {
	dir := t.TempDir()
	r := &Resolver{GeneratedDir: filepath.Join(dir, "gen")}
	ref := topology.SecretRef{Source: topology.SecretGenerate}
	a, err := r.Ensure(ref, "password")
	if err != nil || len(a) < 24 {
		t.Fatalf("Ensure = %q, %v", a, err)
	}
	b, err := r.Ensure(ref, "password")
	if err != nil || a != b {
		t.Fatalf("second Ensure = %q, want the stored %q", b, a)
	}
	fi, _ := os.Stat(filepath.Join(dir, "gen", "password"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("generated secret mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestFingerprint(t *testing.T) {
	f := Fingerprint("salt", "hunter2")
	if strings.Contains(f, "hunter2") || f == "" {
		t.Fatalf("fingerprint %q reveals the value or is empty", f)
	}
	if f != Fingerprint("salt", "hunter2") {
		t.Error("fingerprint not deterministic")
	}
	if f == Fingerprint("other", "hunter2") || f == Fingerprint("salt", "hunter3") {
		t.Error("fingerprint ignores salt or value")
	}
	if Fingerprint("salt", "") != "" {
		t.Error("empty value must have the empty fingerprint")
	}
}
