package server

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// TestDiffScriptsCoverIssues checks that the differential tests exercise
// every command and option the engine's issues promise, so "every command
// has a differential test" is a fact the suite checks rather than a claim.
//
// Each line of testdata/coverage/*.txt is a requirement: a command name and
// the arguments some differential script line must send with it (in any
// position, case-insensitive), e.g. "XADD NOMKSTREAM MAXLEN ~". A script
// line counts when it runs in both protocols (not !resp2only). A
// requirement may instead name the Go differential test that covers it:
// "SCAN MATCH COUNT TYPE => TestScanMatchesRedis" holds when that test
// exists in this package.
func TestDiffScriptsCoverIssues(t *testing.T) {
	scripts, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	var sent [][]string // every command the scripts send in RESP2 and RESP3
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, scriptCommands(string(b))...)
	}
	tests := goTestNames(t)

	lists, err := filepath.Glob("testdata/coverage/*.txt")
	if err != nil || len(lists) == 0 {
		t.Fatalf("no coverage lists: %v", err)
	}
	for _, f := range lists {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for n, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			checked++
			where := filepath.Base(f) + ":" + strconv.Itoa(n+1)
			req, test, byTest := strings.Cut(line, "=>")
			if byTest {
				if name := strings.TrimSpace(test); !tests[name] {
					t.Errorf("%s: %q: no test %s in this package", where, line, name)
				}
				continue
			}
			if !coveredBy(strings.Fields(req), sent) {
				t.Errorf("%s: no differential script sends %q (add it to a testdata/diff script)", where, req)
			}
		}
		if checked == 0 {
			t.Errorf("%s: no requirements", f)
		}
	}
}

// coveredBy reports whether some command in sent is req's command with all
// of req's arguments.
func coveredBy(req []string, sent [][]string) bool {
	for _, cmd := range sent {
		if !strings.EqualFold(cmd[0], req[0]) {
			continue
		}
		all := true
		for _, want := range req[1:] {
			found := false
			for _, a := range cmd[1:] {
				if strings.EqualFold(a, want) {
					found = true
					break
				}
			}
			if !found {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// scriptCommands returns the commands a differential script sends in both
// protocols, with its directives taken off.
func scriptCommands(script string) [][]string {
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '@' && len(line) > 2 {
			line = strings.TrimSpace(line[2:])
		}
		raw, ok := resp.SplitArgs([]byte(line), nil)
		if !ok || len(raw) == 0 {
			continue
		}
		args := make([]string, len(raw))
		for i, a := range raw {
			args[i] = string(a)
		}
		switch strings.ToLower(args[0]) {
		case "!resp2only", "!raw", "!sleep", "!recv", "!recvmasked", "!read", "!readmasked", "!blocked", "!cmdstats":
			continue
		case "!repeat":
			if len(args) > 2 {
				out = append(out, args[2:])
			}
			continue
		case "!nocompare", "!sort", "!all", "!masked", "!send":
			args = args[1:]
		case "!pipe":
			args = args[1:]
			start := 0
			for i := 0; i <= len(args); i++ {
				if i == len(args) || args[i] == "|" {
					if i > start {
						out = append(out, args[start:i])
					}
					start = i + 1
				}
			}
			continue
		}
		if len(args) > 0 {
			out = append(out, args)
		}
	}
	return out
}

var testFunc = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)

// goTestNames returns the names of this package's tests.
func goTestNames(t *testing.T) map[string]bool {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range testFunc.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
	}
	return names
}
