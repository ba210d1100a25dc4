package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Checker validates AOF files and repairs them (redisctl server
// check-aof, after redis-check-aof).
type Checker struct {
	Out io.Writer
	Fix bool
	// CheckRDB validates an RDB at the start of r (which holds fileSize
	// bytes) and returns what follows and the RDB's size.
	CheckRDB func(r io.Reader, fileSize int64) (io.Reader, int64, error)
}

// ErrInvalid is returned when a checked AOF is not valid (and was not
// fixed).
var ErrInvalid = errors.New("AOF is not valid")

// Check checks path: a manifest (every file it lists), or one AOF file.
// With Fix, a file that ends inside a command is truncated after its last
// complete command; a file with garbage in the middle is reported and
// left alone unless it is the last file, which is then truncated before
// the garbage.
func (c *Checker) Check(path string) error {
	if strings.HasSuffix(path, ".manifest") {
		return c.checkManifest(path)
	}
	return c.checkFile(path, true)
}

func (c *Checker) checkManifest(path string) error {
	fmt.Fprintln(c.Out, "Start checking Multi Part AOF")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := ParseManifest(data)
	if err != nil {
		return err
	}
	files := m.Files()
	for i, fi := range files {
		kind := "INCR"
		if fi.Type == Base {
			kind = "BASE"
		}
		fmt.Fprintf(c.Out, "Start to check %s AOF (%s).\n", kind, fi.Name)
		if err := c.checkFile(filepath.Join(filepath.Dir(path), fi.Name), i == len(files)-1); err != nil {
			return err
		}
	}
	fmt.Fprintln(c.Out, "All AOF files and manifest are valid")
	return nil
}

func (c *Checker) checkFile(path string, last bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	var base int64
	name := filepath.Base(path)
	if magic, _ := br.Peek(5); string(magic) == "REDIS" && c.CheckRDB != nil {
		fmt.Fprintln(c.Out, "The AOF appears to start with an RDB preamble.\nChecking the RDB preamble to start:")
		rest, size, err := c.CheckRDB(br, info.Size())
		if err != nil {
			f.Close()
			fmt.Fprintf(c.Out, "RDB preamble of AOF file is not sane, aborting: %v\n", err)
			return ErrInvalid
		}
		fmt.Fprintln(c.Out, "RDB preamble is OK, proceeding with AOF tail...")
		r, base = rest, size
	}
	cr := NewCommandReader(r, base)
	var bad error
	for {
		_, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad = err
			break
		}
	}
	f.Close()
	diff := info.Size() - cr.ValidUpTo
	fmt.Fprintf(c.Out, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=%d, diff=%d\n",
		name, info.Size(), cr.ValidUpTo, cr.ValidUpToLine+1, diff)
	if bad == nil {
		fmt.Fprintf(c.Out, "AOF %s is valid\n", name)
		return nil
	}
	fmt.Fprintf(c.Out, "%v\n", bad)
	if !c.Fix {
		fmt.Fprintf(c.Out, "AOF %s is not valid. Use the --fix option to try fixing it.\n", name)
		return ErrInvalid
	}
	if !last {
		fmt.Fprintf(c.Out, "AOF %s is not the last file of the AOF: it cannot be fixed by truncation.\n", name)
		return ErrInvalid
	}
	if errors.Is(bad, ErrFormat) {
		fmt.Fprintf(c.Out, "This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes\n", name, info.Size(), diff, cr.ValidUpTo)
	}
	if err := os.Truncate(path, cr.ValidUpTo); err != nil {
		fmt.Fprintf(c.Out, "Failed to truncate AOF %s: %v\n", name, err)
		return err
	}
	fmt.Fprintf(c.Out, "Successfully truncated AOF %s\n", name)
	return nil
}
