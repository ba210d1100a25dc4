package fielddocs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", `package demo

// Thing is documented
// over two lines.
type Thing struct {
	// Size is how big.
	Size int
	Color string // Color is a trailing comment.
	hidden int
	// A and B share this.
	A, B bool
}

type undocumented struct {
	// X is not exported.
	X int
}
`)
	write("a_test.go", "package demo\n\n// T is a test type.\ntype T struct{}\n")
	write("gen.go", "//go:build ignore\n\npackage main\n\n// Main is ignored.\ntype Main struct{}\n")
	got, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"Thing":       "Thing is documented over two lines.",`,
		`"Thing.Size":  "Size is how big.",`,
		`"Thing.Color": "Color is a trailing comment.",`,
		`"Thing.A":     "A and B share this.",`,
		`"Thing.B":     "A and B share this.",`,
		"package demo",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("generated source lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"hidden", "undocumented", "X is not", "T is a test", "Main"} {
		if strings.Contains(string(got), unwanted) {
			t.Errorf("generated source has %q:\n%s", unwanted, got)
		}
	}
}
