//go:build unix

package server

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// Daemonize starts the current executable again with args, detached from
// the terminal in a new session, as daemonize yes asks. The caller exits.
func Daemonize(args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// staleOwner reports whether the process that named a temp file cannot
// be writing it any more: it is gone, or it is this process (a restarted
// container reuses its pid) before any snapshot of ours started.
func staleOwner(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
