package rdb

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// CheckStats is what Check found.
type CheckStats struct {
	Keys, Expires, AlreadyExpired int64
	Result                        LoadResult
}

// Check validates an RDB read from r, which holds size bytes (0 when
// unknown), describing it on out like redis-check-rdb: aux fields,
// databases, key counts, checksum. out may be nil for a silent check.
func Check(r io.Reader, size int64, out io.Writer, name string) (CheckStats, error) {
	if out == nil {
		out = io.Discard
	}
	c := &checker{out: out, now: time.Now().UnixMilli()}
	fmt.Fprintf(out, "[offset 0] Checking RDB file %s\n", name)
	res, err := Load(r, c, LoadOptions{Size: size})
	c.st.Result = res
	if err != nil {
		fmt.Fprintln(out, "--- RDB ERROR DETECTED ---")
		fmt.Fprintf(out, "[error] %v\n", err)
		if c.lastKey != "" {
			fmt.Fprintf(out, "[additional info] Last key read: '%s'\n", c.lastKey)
		}
		fmt.Fprintf(out, "[info] %d keys read\n", c.st.Keys)
		return c.st, err
	}
	if res.ChecksumSkipped {
		fmt.Fprintf(out, "[offset %d] RDB file was saved with checksum disabled: no check performed.\n", res.Bytes)
	} else {
		fmt.Fprintf(out, "[offset %d] Checksum OK\n", res.Bytes)
	}
	fmt.Fprintf(out, "[offset %d] \\o/ RDB looks OK! \\o/\n", res.Bytes)
	fmt.Fprintf(out, "[info] %d keys read\n[info] %d expires\n[info] %d already expired\n", c.st.Keys, c.st.Expires, c.st.AlreadyExpired)
	return c.st, nil
}

type checker struct {
	out     io.Writer
	st      CheckStats
	now     int64
	lastKey string
}

func (c *checker) Aux(k, v []byte) error {
	fmt.Fprintf(c.out, "[aux] %s = '%s'\n", k, v)
	return nil
}

func (c *checker) Function(code []byte) error {
	fmt.Fprintf(c.out, "[info] function library of %d bytes\n", len(code))
	return nil
}

func (c *checker) SelectDB(db int) error {
	fmt.Fprintf(c.out, "[info] Selecting DB ID %d\n", db)
	return nil
}

func (c *checker) ResizeDB(size, expires uint64) error { return nil }

func (c *checker) Key(k []byte, m KeyMeta, v *Value) error {
	c.st.Keys++
	c.lastKey = string(trimKey(k))
	if m.ExpireAt != 0 {
		c.st.Expires++
		if m.ExpireAt < c.now {
			c.st.AlreadyExpired++
		}
	}
	if v.Kind == KindStream {
		for _, n := range v.Stream.Nodes {
			if err := StreamNodeEach(n, func(*StreamEntry) error { return nil }); err != nil {
				return err
			}
		}
	}
	return nil
}

// IsCorrupt reports whether err is about malformed data (as opposed to
// an I/O error).
func IsCorrupt(err error) bool { return errors.Is(err, ErrCorrupt) }
