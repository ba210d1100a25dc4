package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Files inside a node directory.
const (
	confFile = "node.conf"
	pidFile  = "node.pid"
	logFile  = "node.log"
	dataDir  = "data"
)

// startDetached starts a server process in its own session, so that it
// outlives redisctl and ignores the terminal's Ctrl-C. The returned channel
// receives the process's exit if it stops while redisctl still runs.
// argv0 is the name the process sees as its own (Args[0]).
func startDetached(bin, argv0 string, args []string, dir string) (int, <-chan error, error) {
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = argv0
	cmd.Dir = dir
	out, err := os.OpenFile(filepath.Join(dir, "stdout.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return 0, nil, err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd.Process.Pid, exited, nil
}

// readPID reads a pid file; 0 when absent or unreadable.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// ownedBy reports whether pid is alive and belongs to the node in nodeDir:
// its working directory is inside nodeDir (servers start there and may chdir
// to the data directory) or its command line names the node's config. So a
// recycled pid is never mistaken for our node, even when the server rewrites
// its process title as redis-server does.
func ownedBy(pid int, nodeDir string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	inside := cwd == nodeDir || strings.HasPrefix(cwd, nodeDir+string(filepath.Separator))
	if !inside && !bytes.Contains(b, []byte(filepath.Join(nodeDir, confFile))) {
		return false
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// A zombie has exited; field 3 is the state.
		if f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return false
		}
	}
	return true
}

// runningPID returns the pid of the node's process if it runs, else 0: the
// pid file's, the one state knows, or — for a node whose start an
// interrupted apply left unrecorded, before the server wrote its pid file —
// any process working inside the node's directory.
func runningPID(nodeDir, knownPID string) int {
	if pid := readPID(filepath.Join(nodeDir, pidFile)); ownedBy(pid, nodeDir) {
		return pid
	}
	if pid, err := strconv.Atoi(knownPID); err == nil && ownedBy(pid, nodeDir) {
		return pid
	}
	return scanForNode(nodeDir)
}

// scanForNode finds the oldest ancestor among the live processes whose
// working directory is inside nodeDir (a wrapper script's shell, not the
// sleep it runs), or 0.
func scanForNode(nodeDir string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	parents := map[int]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() || !ownedBy(pid, nodeDir) {
			continue
		}
		parents[pid] = parentOf(pid)
	}
	for pid, ppid := range parents {
		if _, child := parents[ppid]; !child {
			return pid
		}
	}
	return 0
}

func parentOf(pid int) int {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// stopProcess sends SIGTERM, waits up to grace, then SIGKILL, and returns
// once the process is gone.
func stopProcess(ctx context.Context, pid int, nodeDir string, grace time.Duration) error {
	if !ownedBy(pid, nodeDir) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop pid %d: %w", pid, err)
	}
	// A server may decline a SIGTERM while it cannot stop safely (redis-server
	// refuses while writing its first AOF) and accept a later one: repeat it.
	for deadline := time.Now().Add(grace); time.Now().Before(deadline); {
		if waitGone(ctx, pid, nodeDir, min(500*time.Millisecond, time.Until(deadline))) {
			return nil
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill pid %d: %w", pid, err)
	}
	if waitGone(ctx, pid, nodeDir, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("pid %d did not exit after SIGKILL", pid)
}

func waitGone(ctx context.Context, pid int, nodeDir string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !ownedBy(pid, nodeDir) {
			return true
		}
		select {
		case <-ctx.Done():
			return !ownedBy(pid, nodeDir)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return !ownedBy(pid, nodeDir)
}

// logTail returns the last lines of a node's logs, for error messages.
func logTail(nodeDir string, n int) string {
	var lines []string
	for _, f := range []string{logFile, "stdout.log"} {
		fh, err := os.Open(filepath.Join(nodeDir, f))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		fh.Close()
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
