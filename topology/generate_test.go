package topology

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/topology/internal/fielddocs"
)

// The generated files must match their sources; `go generate ./topology`
// rewrites both.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	want, err := fielddocs.Generate(".")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(fielddocs.OutputFile)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s is stale (or %v): run go generate ./topology", fielddocs.OutputFile, err)
	}
	doc, err := os.ReadFile(ReferencePath)
	if err != nil || !bytes.Equal(doc, Reference()) {
		t.Errorf("%s is stale (or %v): run go generate ./topology", ReferencePath, err)
	}
}

func TestReferenceCoversEveryField(t *testing.T) {
	ref := string(Reference())
	for _, path := range []string{"apiVersion", "name", "labels", "layout", "shards", "replicas", "sentinels", "zones",
		"memory", "evictionPolicy", "persistence.mode", "persistence.fsync", "auth.password", "tls.enabled",
		"network.bind", "network.basePort", "network.allowedCIDRs", "engine.name", "engine.version", "provider.name"} {
		if !strings.Contains(ref, "| `"+path+"` |") {
			t.Errorf("reference has no row for %s", path)
		}
	}
	for _, want := range []string{
		"| `memory` | memory amount | `256Mi` | " + fieldDocs["Spec.Memory"] + " |",
		"| `layout` | one of `single`, `ha`, `cluster` | `single` |",
		"| `name` | string | required |",
	} {
		if !strings.Contains(ref, want) {
			t.Errorf("reference lacks %q", want)
		}
	}
}

func TestReferenceExampleIsValid(t *testing.T) {
	s, err := Parse("docs/spec.md example", []byte(referenceExample))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PlanNodes(s); err != nil {
		t.Fatal(err)
	}
}
