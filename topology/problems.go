package topology

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a spec, located in its file.
type Problem struct {
	// File is the spec's file name ("" for a spec built in code).
	File string
	// Line and Column are 1-based; 0 when the position is unknown.
	Line, Column int
	// Path is the field path, e.g. "network.basePort" or "zones[1]" ("" for
	// problems with the file itself, such as YAML syntax errors).
	Path    string
	Message string
}

// String formats the problem as "file:line:col: path: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(":")
		if p.Column > 0 {
			b.WriteString(strconv.Itoa(p.Column))
			b.WriteString(":")
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a spec. It is the error Load, Parse,
// Validate and DecodeSettings return, so callers can tell a bad spec from a
// failure to read it with errors.As.
type Problems []Problem

// Error lists the problems one per line, in file order.
func (ps Problems) Error() string {
	sorted := append(Problems(nil), ps...)
	sorted.sort()
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
}

// err returns the problems sorted as an error, or nil when there are none
// (never a nil Problems inside a non-nil error).
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	ps.sort()
	return ps
}

func (ps *Problems) addf(file string, at pos, path, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: at.Line, Column: at.Column, Path: path, Message: fmt.Sprintf(format, args...)})
}
