package topology

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

type schemaTestAWS struct {
	Region   string   `yaml:"region"`
	NodeType string   `yaml:"nodeType"`
	Subnets  []string `yaml:"subnets"`
}

func (schemaTestAWS) FieldDocs() map[string]string {
	return map[string]string{"Region": "Region is the AWS region."}
}

type schemaTestLocal struct {
	Dir string `yaml:"dir"`
}

func compileSchema(t *testing.T, providers map[string]any) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	raw, err := JSONSchema(providers)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	return sch, tree
}

// instance turns YAML into the JSON value a schema validator sees.
func instance(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAcceptsValidSpecs(t *testing.T) {
	sch, _ := compileSchema(t, map[string]any{"aws": schemaTestAWS{}, "local": schemaTestLocal{}})
	loose, _ := compileSchema(t, nil)
	files, _ := filepath.Glob("testdata/valid-*.yaml")
	examples, _ := filepath.Glob("../examples/*.yaml")
	// Examples carry real provider blocks, checked against the real
	// providers' schema in cmd; here they meet the open provider block.
	isExample := map[string]bool{}
	for _, e := range examples {
		isExample[e] = true
	}
	for _, file := range append(files, examples...) {
		data, err := readFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string]*jsonschema.Schema{"with providers": sch, "without": loose} {
			if isExample[file] && name == "with providers" {
				continue
			}
			if err := s.Validate(instance(t, data)); err != nil {
				t.Errorf("%s (%s): %v", file, name, err)
			}
		}
	}
}

func TestSchemaRejects(t *testing.T) {
	sch, _ := compileSchema(t, map[string]any{"aws": schemaTestAWS{}, "local": schemaTestLocal{}})
	tests := map[string]string{
		"unknown field":          "replica: 2\n",
		"wrong type":             "replicas: three\n",
		"bad enum":               "layout: sharded\n",
		"bad memory":             "memory: 4GB\n",
		"literal password":       "auth: {password: hunter2}\n",
		"bad label key":          "labels: {Team: core}\n",
		"too many replicas":      "replicas: 6\n",
		"unknown provider":       "provider: {name: nimbus}\n",
		"aws setting typo":       "provider: {name: aws, regoin: x}\n",
		"aws setting wrong type": "provider: {name: aws, subnets: subnet-1}\n",
		"setting of another":     "provider: {name: aws, dir: /tmp}\n",
		"local default settings": "provider: {region: x}\n",
	}
	for name, body := range tests {
		if err := sch.Validate(instance(t, header+body)); err == nil {
			t.Errorf("%s: schema accepts %q", name, body)
		}
	}
	for _, ok := range []string{"provider: {dir: /tmp}\n", "provider: {name: aws, region: x}\n", "memory: 1048576\n"} {
		if err := sch.Validate(instance(t, header+ok)); err != nil {
			t.Errorf("schema rejects %q: %v", ok, err)
		}
	}
}

func TestSchemaDescriptionsAndDefaults(t *testing.T) {
	_, tree := compileSchema(t, map[string]any{"aws": schemaTestAWS{}})
	props := tree["properties"].(map[string]any)
	memory := props["memory"].(map[string]any)
	if memory["description"] != fieldDocs["Spec.Memory"] || memory["default"] != DefaultMemory {
		t.Errorf("memory = %v", memory)
	}
	basePort := props["network"].(map[string]any)["properties"].(map[string]any)["basePort"].(map[string]any)
	if basePort["default"] != float64(DefaultBasePort) || !strings.Contains(basePort["description"].(string), "consecutive") {
		t.Errorf("network.basePort = %v", basePort)
	}
	if _, ok := props["replicas"].(map[string]any)["default"]; ok {
		t.Errorf("replicas has a default in the schema, but it depends on the layout")
	}
	raw, _ := json.Marshal(props["provider"])
	if !strings.Contains(string(raw), "Region is the AWS region.") {
		t.Errorf("provider settings lack their FieldDocs description: %s", raw)
	}
	if req := tree["required"].([]any); len(req) != 3 {
		t.Errorf("required = %v, want apiVersion, kind, name", req)
	}
}
