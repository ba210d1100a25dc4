// Package rawio holds read(2) and write(2) as raw system calls, for
// descriptors that cannot block: non-blocking sockets, and regular files
// (whose writes land in the page cache). Going through the runtime's
// system call bookkeeping instead lets sysmon take the caller's P away in
// the middle of a call that returns in microseconds, then poll every
// 20 µs for a millisecond; the event loops and the AOF writer, which
// runs on them, make these calls on every batch.
package rawio

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Read is read(2) on fd. A call that would block returns unix.EAGAIN.
func Read(fd int, p []byte) (int, error) { return rw(unix.SYS_READ, fd, p) }

// Write is write(2) on fd. A call that would block returns unix.EAGAIN.
func Write(fd int, p []byte) (int, error) { return rw(unix.SYS_WRITE, fd, p) }

func rw(trap uintptr, fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
