package aof

import (
	"os"

	"github.com/redisctl/redisctl/engine/internal/rawio"
	"golang.org/x/sys/unix"
)

// writeFile is f.Write as one raw write(2) (see package rawio): the log is
// written from the event loops before their replies.
func writeFile(f *os.File, p []byte) (int, error) {
	n, err := rawio.Write(int(f.Fd()), p)
	switch err {
	case nil:
		return n, nil
	case unix.EINTR:
		return 0, nil
	}
	return 0, &os.PathError{Op: "write", Path: f.Name(), Err: err}
}
