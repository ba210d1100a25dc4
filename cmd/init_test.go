package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/topology"
)

func TestInitWritesValidSpecs(t *testing.T) {
	for _, layout := range []string{"single", "ha", "cluster"} {
		t.Run(layout, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "redisctl.yaml")
			code, out, errOut := runCLI(t, "init", "-f", file, "--layout", layout, "--name", "cache")
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "Wrote "+file+" (layout "+layout+", name cache).") {
				t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
			}
			s, err := topology.Load(file)
			if err != nil {
				t.Fatalf("written spec does not load:\n%v", err)
			}
			if s.Name != "cache" || string(s.Layout) != layout || s.Provider.Name != "local" {
				t.Errorf("spec = name %s layout %s provider %s", s.Name, s.Layout, s.Provider.Name)
			}
			if _, err := topology.PlanNodes(s); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInitThenValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "redisctl.yaml")
	if code, _, errOut := runCLI(t, "init", "-f", file); code != 0 {
		t.Fatalf("init: exit %d, %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "validate", "-f", file)
	if code != 0 || out != file+": valid (layout single: 1 primary)\n" {
		t.Errorf("validate: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(file, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "init", "-f", file)
	if got, _ := os.ReadFile(file); code != 1 || string(got) != "mine\n" || !strings.Contains(errOut, "already exists; pass --force") {
		t.Errorf("exit %d, file %q, stderr %q", code, got, errOut)
	}
	code, _, errOut = runCLI(t, "init", "-f", file, "--force", "--layout", "ha")
	if got, _ := os.ReadFile(file); code != 0 || !strings.Contains(string(got), "\nlayout: ha\n") {
		t.Errorf("--force: exit %d, stderr %q, file:\n%s", code, errOut, got)
	}
}

func TestInitRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--layout", "mesh"}, `--layout must be one of single, ha or cluster, got "mesh"`},
		{[]string{"--name", "My_Redis"}, `--name: "My_Redis" is not a valid name`},
	} {
		file := filepath.Join(dir, "x.yaml")
		code, _, errOut := runCLI(t, append([]string{"init", "-f", file}, tt.args...)...)
		if _, err := os.Stat(file); code != 1 || !strings.Contains(errOut, tt.want) || err == nil {
			t.Errorf("%v: exit %d, stderr %q, stat %v (want no file)", tt.args, code, errOut, err)
		}
	}
}

func TestInitToStdout(t *testing.T) {
	code, out, _ := runCLI(t, "init", "-f", "-", "--layout", "cluster")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, err := topology.Parse("stdout", []byte(out)); err != nil || !strings.Contains(out, "shards: 3") {
		t.Errorf("stdout spec (err %v):\n%s", err, out)
	}
}
