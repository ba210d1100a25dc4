package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/redisctl/redisctl/internal/freeport"
)

// TestMain lets this test binary also run as the redisctl command, so the
// scripts in testdata/script exec the real CLI — including the detached
// `redisctl server` processes the local provider starts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"redisctl": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end scripts start servers; skipped with -short")
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			base, err := freePorts(8)
			if err != nil {
				return err
			}
			env.Setenv("BASEPORT", strconv.Itoa(base))
			env.Setenv("BASEPORT2", strconv.Itoa(base+4))
			env.Setenv("REDISCTL_STATE_DIR", filepath.Join(env.WorkDir, "state"))
			env.Setenv("NO_COLOR", "1")
			work := env.WorkDir
			env.Defer(func() { killUnder(work) })
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if name, ok := strings.CutPrefix(cond, "have:"); ok {
				_, err := exec.LookPath(name)
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// freePorts finds n consecutive free ports on 127.0.0.1.
func freePorts(n int) (int, error) { return freeport.Range(n) }

// killUnder stops every process whose working directory is inside dir, so
// a failed script leaves no server running.
func killUnder(dir string) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+"/")) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
