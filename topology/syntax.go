package topology

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxLocateTries bounds how many prefixes are parsed to find an error's line.
const maxLocateTries = 400

var (
	yamlLineRE   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// syntaxProblem positions a yaml.v3 syntax error. yaml.v3 reports at best a
// line, and for parser errors the line where the enclosing construct began
// (counted from 0), so the position is found again by parsing ever longer
// prefixes of the file: the error is where a prefix first fails the same way.
func syntaxProblem(name string, data []byte, err error) Problem {
	full := err.Error()
	msg := strings.TrimPrefix(full, "yaml: ")
	from := 1
	if m := yamlLineRE.FindStringSubmatch(full); m != nil {
		msg = m[2]
		from, _ = strconv.Atoi(m[1])
	}
	lines := strings.SplitAfter(string(data), "\n")
	if m := yamlAnchorRE.FindStringSubmatch(full); m != nil {
		for i, text := range lines {
			if col := strings.Index(text, "*"+m[1]); col >= 0 {
				return Problem{File: name, Line: i + 1, Column: col + 1, Message: msg}
			}
		}
	}
	line := locateLine(lines, from, msg)
	p := Problem{File: name, Line: line, Column: 1, Message: msg}
	if line < 1 || line > len(lines) {
		p.Line = max(1, min(from, len(lines)))
		return p
	}
	p.Column = locateColumn(lines, line, msg)
	return p
}

// yamlError parses every document in data and returns the first error's
// message, without the "yaml: line N: " prefix ("" when data parses).
func yamlError(data string) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = "panic"
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			e := err.Error()
			if m := yamlLineRE.FindStringSubmatch(e); m != nil {
				return m[2]
			}
			return strings.TrimPrefix(e, "yaml: ")
		}
	}
}

// locateLine returns the first line (1-based, at least from) whose end makes
// the file fail with msg, or 0.
func locateLine(lines []string, from int, msg string) int {
	prefix := strings.Join(lines[:min(max(from-1, 0), len(lines))], "")
	// Each try parses the prefix again; bound the work on huge files.
	for l := max(from, 1); l <= len(lines) && l < from+maxLocateTries; l++ {
		prefix += lines[l-1]
		if yamlError(prefix) == msg {
			return l
		}
	}
	return 0
}

// locateColumn finds the column on line where the error shows: the
// offending tab, or the first character whose addition makes the
// file fail with msg.
func locateColumn(lines []string, line int, msg string) int {
	text := lines[line-1]
	if strings.Contains(msg, "tab character") {
		if i := strings.IndexByte(text, '\t'); i >= 0 {
			return i + 1
		}
	}
	before := strings.Join(lines[:line-1], "")
	var b bytes.Buffer
	for i := range min(len(text), maxLocateTries) {
		b.Reset()
		b.WriteString(before)
		b.WriteString(text[:i+1])
		if yamlError(b.String()) == msg {
			return i + 1
		}
	}
	return len(text) - len(strings.TrimLeft(text, " \t")) + 1
}
