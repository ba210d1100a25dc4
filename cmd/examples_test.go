package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/topology"
)

// TestExamplesValidateAndPlan: every file in examples/ passes validate,
// matches the JSON Schema with the real providers' blocks, and plans from
// an empty state (which needs no provider API).
func TestExamplesValidateAndPlan(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	raw, err := topology.JSONSchema(providerSettings(newRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if code, _, errOut := runCLI(t, "validate", "-f", f); code != 0 {
				t.Fatalf("validate: exit %d\n%s", code, errOut)
			}
			var v any
			data := mustRead(t, f)
			if err := yaml.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(v)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err := sch.Validate(inst); err != nil {
				t.Errorf("schema: %v", err)
			}
			s, err := deploy.Open(context.Background(), f, deploy.Options{Registry: newRegistry(), StateDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.Plan(context.Background(), false)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if p.Empty() || p.Summary().Add == 0 {
				t.Errorf("plan from empty state adds nothing: %+v", p.Summary())
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
