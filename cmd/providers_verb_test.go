package cmd

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "regenerate docs/providers.md")

// TestProvidersDoc keeps docs/providers.md equal to what the capability
// tables generate; run `go test ./cmd -run ProvidersDoc -update-docs` after
// changing a table.
func TestProvidersDoc(t *testing.T) {
	code, out, errOut := runCLI(t, "providers", "-o", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	const path = "../docs/providers.md"
	if *updateDocs {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != out {
		t.Errorf("%s is stale: run go test ./cmd -run ProvidersDoc -update-docs", path)
	}
	for _, name := range newRegistry().Names() {
		if !strings.Contains(out, "\n## "+name+"\n") {
			t.Errorf("no section for provider %s", name)
		}
	}
}

func TestProvidersText(t *testing.T) {
	code, out, _ := runCLI(t, "providers", "local")
	if code != 0 || !strings.Contains(out, "node.maxmemory") || !strings.Contains(out, "in-place") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "providers", "nope"); code != 1 || !strings.Contains(errOut, `unknown provider "nope"`) {
		t.Errorf("unknown provider: exit %d, %q", code, errOut)
	}
}
