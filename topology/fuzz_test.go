package topology

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that every problem
// it reports is positioned inside the file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err == nil {
			if _, err := PlanNodes(s); err != nil {
				t.Fatalf("valid spec does not plan: %v", err)
			}
			return
		}
		ps, ok := err.(Problems)
		if !ok {
			t.Fatalf("error is %T: %v", err, err)
		}
		// YAML (libyaml) breaks lines at CR, LF, CRLF, NEL, LS and PS.
		text := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(string(data))
		lines := strings.Count(text, "\n") + 1
		for _, p := range ps {
			if p.Line < 1 || p.Line > lines || p.Column < 1 {
				t.Fatalf("problem outside the file (%d lines): %+v", lines, p)
			}
		}
	})
}

func TestAliasExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "provider:\n  name: aws\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("  a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	// An unbounded expansion would build 10^9 strings: the test's own
	// timeout catches that, and the error says the bound was applied.
	s, err := Parse("bomb.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var settings struct {
		A8 [][][][][][][][][]string `yaml:"a8"`
	}
	err = DecodeSettings(s, &settings)
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Errorf("DecodeSettings of an alias bomb: %v", err)
	}
}

func TestSyntaxLocatingIsBounded(t *testing.T) {
	long := header + "labels: {team: " + strings.Repeat("x", 200000) + "\n"
	many := header + strings.Repeat("# comment\n", 50000) + "zones: *missing\n"
	for name, text := range map[string]string{"long line": long, "many lines": many} {
		_, err := Parse("big.yaml", []byte(text))
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if name == "many lines" && (err == nil || !strings.HasPrefix(err.Error(), "big.yaml:50004:8: unknown anchor")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
