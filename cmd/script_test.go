package cmd

import (
	"errors"
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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
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

// cmdExitCode is the scripts' `exitcode N program [args...]`: it runs the
// program like exec and fails unless it exits with status N, so the scripts
// can pin plan --detailed-exitcode's 2/3/4 rather than just "non-zero".
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
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
