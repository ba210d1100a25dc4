package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Loader replays an AOF directory.
type Loader struct {
	Dir string
	// LoadRDB loads an RDB that starts r (a base file or a preamble; r
	// holds fileSize bytes) and returns what follows it and the RDB's
	// size in bytes.
	LoadRDB func(r io.Reader, fileSize int64) (rest io.Reader, size int64, err error)
	// Exec runs one command; an error stops the load.
	Exec func(argv [][]byte) error
	// RepairTruncated truncates a last file that ends inside a command
	// (aof-load-truncated yes) instead of failing.
	RepairTruncated bool
	// Warn logs a warning.
	Warn func(format string, a ...any)
	// Manifest is the manifest's file name, for messages.
	Manifest string
}

func (l *Loader) manifestPath() string { return filepath.Join(l.Dir, l.Manifest) }

// LoadStats describe a load.
type LoadStats struct {
	Commands int64
	// Repaired names the file that was truncated, with the offset kept.
	Repaired    string
	RepairedAt  int64
	RepairedCut int64
}

// Load replays every file of m in order.
func (l *Loader) Load(m *Manifest) (LoadStats, error) {
	var st LoadStats
	files := m.Files()
	for i, fi := range files {
		last := i == len(files)-1
		if err := l.loadFile(fi, last, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (l *Loader) loadFile(fi FileInfo, last bool, st *LoadStats) error {
	path := filepath.Join(l.Dir, fi.Name)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && fi.Type == Incr && last {
			// A crash between writing the manifest and creating the
			// file: nothing was appended to it.
			l.warn("The AOF file %s doesn't exist", fi.Name)
			return nil
		}
		return fmt.Errorf("can't open the append-only file %s: %w", fi.Name, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	var base int64
	if magic, _ := br.Peek(5); string(magic) == "REDIS" {
		if l.LoadRDB == nil {
			return fmt.Errorf("the append-only file %s starts with an RDB preamble, which cannot be loaded here", fi.Name)
		}
		rest, size, err := l.LoadRDB(br, info.Size())
		if err != nil {
			return fmt.Errorf("bad RDB in the append-only file %s: %w", fi.Name, err)
		}
		r, base = rest, size
	}
	cr := NewCommandReader(r, base)
	for {
		argv, err := cr.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, ErrTruncated) {
			if !last {
				return fmt.Errorf("the truncated file %s is not the last file of the AOF: %w", fi.Name, err)
			}
			if !l.RepairTruncated {
				return fmt.Errorf("unexpected end of file reading the append only file %s (aof-load-truncated is off): %w", fi.Name, err)
			}
			l.warn("!!! Warning: short read while loading the AOF file %s!!!", fi.Name)
			l.warn("AOF %s loaded anyway because aof-load-truncated is enabled", fi.Name)
			if err := os.Truncate(path, cr.ValidUpTo); err != nil {
				return fmt.Errorf("truncate %s: %w", fi.Name, err)
			}
			st.Repaired, st.RepairedAt, st.RepairedCut = fi.Name, cr.ValidUpTo, info.Size()-cr.ValidUpTo
			l.warn("AOF %s truncated to offset %d (%d bytes of an incomplete command dropped)", fi.Name, cr.ValidUpTo, st.RepairedCut)
			return nil
		}
		if err != nil {
			return fmt.Errorf("Bad file format reading the append only file %s (%v): make a backup of your AOF, then use `redisctl server check-aof --fix %s`", fi.Name, err, l.manifestPath())
		}
		if err := l.Exec(argv); err != nil {
			return fmt.Errorf("%s, reading the append only file %s at offset %d", err, fi.Name, cr.Offset())
		}
		st.Commands++
	}
}

func (l *Loader) warn(format string, a ...any) {
	if l.Warn != nil {
		l.Warn(format, a...)
	}
}
