package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/deploy/state"
)

// redisctlCmd runs this test binary as the redisctl command (see TestMain).
func redisctlCmd(dir string, args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Args[0] = "redisctl"
	c.Dir = dir
	c.Env = append(os.Environ(), "NO_COLOR=1", state.DirEnv+"="+filepath.Join(dir, "state"))
	return c
}

// TestKilledApplyResumes kills `redisctl apply` with SIGKILL part-way through
// a deployment of three data nodes and a sentinel, at a different point each
// trial, then runs apply again: exactly the planned nodes must end up
// running, each once, and the next plan must be empty.
func TestKilledApplyResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	redis, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (make test installs it): the bundled engine cannot run a 3-node ha layout yet")
	}
	dir := t.TempDir()
	t.Cleanup(func() { killUnder(dir) })
	// A slow-starting engine widens the window in which apply is killed.
	slow := filepath.Join(dir, "slow-redis")
	os.WriteFile(slow, []byte("#!/bin/sh\nsleep 0.3\nexec "+redis+" \"$@\"\n"), 0o755)
	base, err := freePorts(4)
	if err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "spec.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(`apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: killme
layout: ha
replicas: 2
sentinels: 1
memory: 32Mi
network:
  basePort: %d
provider:
  name: local
  engineBinary: %s
`, base, slow)), 0o644)
	statePath := filepath.Join(dir, "state", "killme.state.json")
	const total = 4

	for killAfter := 1; killAfter < total; killAfter++ {
		t.Run(fmt.Sprintf("killed after %d of %d", killAfter, total), func(t *testing.T) {
			apply := redisctlCmd(dir, "apply", "-f", spec, "--auto-approve")
			if err := apply.Start(); err != nil {
				t.Fatal(err)
			}
			killedAt := waitSettled(t, statePath, killAfter)
			apply.Process.Signal(syscall.SIGKILL)
			apply.Wait()
			t.Logf("killed with %d settled resources", killedAt)
			if killedAt >= total {
				t.Fatalf("apply finished before it could be killed (%d settled)", killedAt)
			}

			out, err := redisctlCmd(dir, "apply", "-f", spec, "--auto-approve").CombinedOutput()
			if err != nil {
				t.Fatalf("re-run failed: %v\n%s", err, out)
			}
			plan := redisctlCmd(dir, "plan", "-f", spec, "--detailed-exitcode")
			if out, err := plan.CombinedOutput(); err != nil {
				t.Fatalf("plan after the re-run is not clean: %v\n%s", err, out)
			}
			checkOneProcessPerNode(t, filepath.Join(dir, "state", "killme"),
				[]string{"node-0", "node-1", "node-2", "sentinel-0"})

			if out, err := redisctlCmd(dir, "destroy", "-f", spec, "--auto-approve").CombinedOutput(); err != nil {
				t.Fatalf("destroy: %v\n%s", err, out)
			}
			checkOneProcessPerNode(t, filepath.Join(dir, "state", "killme"), nil)
		})
	}
}

// waitSettled polls the state file until at least n resources are recorded
// as created (not pending) and returns how many were.
func waitSettled(t *testing.T, path string, n int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			var st state.State
			if json.Unmarshal(b, &st) == nil {
				settled := 0
				for _, e := range st.Resources {
					if e.Pending == nil && e.ID != "" {
						settled++
					}
				}
				if settled >= n {
					return settled
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("state never recorded %d resources", n)
	return 0
}

// checkOneProcessPerNode asserts that exactly the named nodes run, one
// process each (found by working directory under nodesDir).
func checkOneProcessPerNode(t *testing.T, nodesDir string, want []string) {
	t.Helper()
	count := map[string]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i+2:]), "Z") {
			continue // exited, not yet reaped
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, nodesDir+"/") {
			continue
		}
		node := strings.SplitN(strings.TrimPrefix(cwd, nodesDir+"/"), "/", 2)[0]
		count[node]++
	}
	for _, n := range want {
		if count[n] != 1 {
			t.Errorf("%s: %d processes, want 1", n, count[n])
		}
		delete(count, n)
	}
	for n, c := range count {
		t.Errorf("unexpected %d processes for %s", c, n)
	}
}
