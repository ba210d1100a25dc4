// Package aof implements Redis 7's multi-part append-only file: a
// directory (appenddirname) holding a base file (an RDB, or commands), a
// series of incremental command files and a manifest naming them, so a
// rewrite never edits a file that is being appended to. It provides the
// manifest, the appending writer with its fsync policies, the loader and
// the check/fix tool; the server drives them.
package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileType is the role of a file in the manifest.
type FileType byte

// File types, as the manifest writes them.
const (
	Base    FileType = 'b'
	History FileType = 'h' // a former base or incr file, to be deleted
	Incr    FileType = 'i'
)

// FileInfo is one manifest line.
type FileInfo struct {
	Name string
	Seq  int64
	Type FileType
}

// Manifest lists the files of an AOF in load order: at most one base,
// then the incremental files by ascending sequence number.
type Manifest struct {
	Base    *FileInfo
	Incr    []FileInfo
	History []FileInfo
}

// ErrManifest is wrapped by errors about an unreadable manifest.
var ErrManifest = errors.New("invalid AOF manifest")

// ParseManifest reads a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields, ok := splitQuoted(text)
		if !ok || len(fields)%2 != 0 {
			return nil, fmt.Errorf("%w: line %d: invalid format", ErrManifest, line)
		}
		var fi FileInfo
		for i := 0; i < len(fields); i += 2 {
			switch fields[i] {
			case "file":
				fi.Name = fields[i+1]
			case "seq":
				n, err := strconv.ParseInt(fields[i+1], 10, 64)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("%w: line %d: bad sequence number", ErrManifest, line)
				}
				fi.Seq = n
			case "type":
				if len(fields[i+1]) != 1 {
					return nil, fmt.Errorf("%w: line %d: bad type", ErrManifest, line)
				}
				fi.Type = FileType(fields[i+1][0])
			}
		}
		if fi.Name == "" || fi.Seq == 0 || strings.ContainsAny(fi.Name, "/\\") {
			return nil, fmt.Errorf("%w: line %d: missing or bad file name or sequence", ErrManifest, line)
		}
		switch fi.Type {
		case Base:
			if m.Base != nil {
				return nil, fmt.Errorf("%w: found duplicate base file information", ErrManifest)
			}
			b := fi
			m.Base = &b
		case Incr:
			if n := len(m.Incr); n > 0 && fi.Seq <= m.Incr[n-1].Seq {
				return nil, fmt.Errorf("%w: found a non-monotonic sequence number", ErrManifest)
			}
			m.Incr = append(m.Incr, fi)
		case History:
			m.History = append(m.History, fi)
		default:
			return nil, fmt.Errorf("%w: line %d: unknown file type %q", ErrManifest, line, fi.Type)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if m.Base == nil && len(m.Incr) == 0 {
		return nil, fmt.Errorf("%w: it lists no base or incremental file", ErrManifest)
	}
	return m, nil
}

// splitQuoted splits a line into words, honouring double quotes with
// backslash escapes (the way Redis quotes file names with spaces).
func splitQuoted(s string) ([]string, bool) {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		if s[i] != '"' {
			j := i
			for j < len(s) && s[j] != ' ' {
				j++
			}
			out = append(out, s[i:j])
			i = j
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(s) {
			return nil, false
		}
		w, err := strconv.Unquote(s[i : j+1])
		if err != nil {
			return nil, false
		}
		out = append(out, w)
		i = j + 1
	}
	return out, true
}

func quoteName(n string) string {
	if strings.ContainsAny(n, " \"\\\r\n\t") {
		return strconv.Quote(n)
	}
	return n
}

// Bytes renders the manifest.
func (m *Manifest) Bytes() []byte {
	var b bytes.Buffer
	line := func(f FileInfo) {
		fmt.Fprintf(&b, "file %s seq %d type %c\n", quoteName(f.Name), f.Seq, f.Type)
	}
	if m.Base != nil {
		line(*m.Base)
	}
	for _, f := range m.History {
		line(f)
	}
	for _, f := range m.Incr {
		line(f)
	}
	return b.Bytes()
}

// Files returns the base (if any) and incremental files in load order.
func (m *Manifest) Files() []FileInfo {
	var out []FileInfo
	if m.Base != nil {
		out = append(out, *m.Base)
	}
	return append(out, m.Incr...)
}

// LastIncrSeq returns the highest incremental sequence number, or 0.
func (m *Manifest) LastIncrSeq() int64 {
	if len(m.Incr) == 0 {
		return 0
	}
	return m.Incr[len(m.Incr)-1].Seq
}

// Names are the file names of one AOF, derived from appendfilename.
type Names struct{ Prefix string }

// Manifest is the manifest's file name.
func (n Names) Manifest() string { return n.Prefix + ".manifest" }

// Base is the name of base file seq (an RDB when rdb is set).
func (n Names) Base(seq int64, rdb bool) string {
	if rdb {
		return n.Prefix + "." + strconv.FormatInt(seq, 10) + ".base.rdb"
	}
	return n.Prefix + "." + strconv.FormatInt(seq, 10) + ".base.aof"
}

// Incr is the name of incremental file seq.
func (n Names) Incr(seq int64) string {
	return n.Prefix + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}

// ReadManifest reads dir's manifest; it returns nil, nil when there is
// none.
func ReadManifest(dir string, n Names) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, n.Manifest()))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseManifest(data)
}

// WriteManifest replaces dir's manifest atomically: a temporary file,
// fsync, rename, fsync of the directory.
func WriteManifest(dir string, n Names, m *Manifest) error {
	return WriteFileAtomic(filepath.Join(dir, n.Manifest()), m.Bytes())
}

// WriteFileAtomic writes data to path through a synced temporary file
// renamed over it, then syncs the directory.
func WriteFileAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "temp-"+filepath.Base(path))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir fsyncs a directory so renames and creations in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
