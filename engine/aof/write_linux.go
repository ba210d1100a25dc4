package aof

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeFile is f.Write as one raw write(2). The log is written from the
// event loops before their replies; a write to the page cache returns in
// microseconds, and through the scheduler's system call bookkeeping the
// runtime's sysmon could take the loop's P away in the middle of one,
// then poll every 20 µs for a millisecond.
func writeFile(f *os.File, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, f.Fd(), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	switch e {
	case 0:
		return int(n), nil
	case unix.EINTR:
		return 0, nil
	}
	return 0, &os.PathError{Op: "write", Path: f.Name(), Err: e}
}
