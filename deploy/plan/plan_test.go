package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./deploy/plan -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func res(typ, name string, attrs map[string]string) *providers.Resource {
	return &providers.Resource{Type: typ, Name: name, Attrs: attrs}
}

// samplePlan has one change of every action, a sensitive attribute, drift,
// a note and a warning.
func samplePlan() *Plan {
	return &Plan{
		FormatVersion: FormatVersion, Deployment: "shop", Provider: "local", Lineage: "abc", Serial: 7,
		Changes: []providers.Change{
			{Address: "node.node-2", Action: providers.ActionCreate, Impact: providers.ImpactNone, Reason: "not yet created",
				After: res("node", "node-2", map[string]string{"port": "7002", "role": "replica", "password": "hmac-sha256:1234"}),
				Attrs: []providers.AttrChange{{Name: "password", After: "hmac-sha256:1234", Sensitive: true}, {Name: "port", After: "7002"}, {Name: "role", After: "replica"}}},
			{Address: "node.node-0", Action: providers.ActionUpdate, Impact: providers.ImpactReconnect, Reason: "update in place: maxmemory, password changed",
				Before: res("node", "node-0", map[string]string{"maxmemory": "256Mi", "password": "hmac-sha256:aaaa", "port": "7000"}),
				After:  res("node", "node-0", map[string]string{"maxmemory": "512Mi", "password": "hmac-sha256:bbbb", "port": "7000"}),
				Attrs: []providers.AttrChange{
					{Name: "maxmemory", Before: "256Mi", After: "512Mi", Mode: providers.InPlace, Impact: providers.ImpactOnline},
					{Name: "password", Before: "hmac-sha256:aaaa", After: "hmac-sha256:bbbb", Sensitive: true, Mode: providers.InPlace, Impact: providers.ImpactReconnect},
				},
				Calls: []string{"CONFIG SET maxmemory 536870912", "CONFIG SET requirepass"}},
			{Address: "node.node-1", Action: providers.ActionReplace, Impact: providers.ImpactDataLoss, Reason: "forces replacement: port changed",
				Before: res("node", "node-1", map[string]string{"port": "7001"}), After: res("node", "node-1", map[string]string{"port": "7101"}),
				Attrs:             []providers.AttrChange{{Name: "port", Before: "7001", After: "7101", Mode: providers.Replace, Impact: providers.ImpactReconnect}},
				MaintenanceWindow: true},
			{Address: "sentinel.sentinel-0", Action: providers.ActionDelete, Impact: providers.ImpactOnline, Reason: "no longer in the spec",
				Before: res("sentinel", "sentinel-0", map[string]string{"port": "7003"}),
				Attrs:  []providers.AttrChange{{Name: "port", Before: "7003"}}},
		},
		Drift:    []providers.Drift{{Address: "node.node-0", Message: `maxmemory is "1Gi", state says "256Mi" (changed outside redisctl)`}},
		Warnings: []string{"zones have no meaning for the local provider"},
		Notes:    []string{"ha, replicas: 2 → 3 processes and 1 sentinel"},
	}
}

func TestRenderGoldens(t *testing.T) {
	p := samplePlan()
	for _, tc := range []struct {
		name   string
		format Format
		color  bool
	}{
		{"human.txt", FormatHuman, false},
		{"human-color.txt", FormatHuman, true},
		{"plan.json", FormatJSON, false},
		{"plan.md", FormatMarkdown, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, p, tc.format, tc.color); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), "hmac-sha256") {
				t.Error("a secret fingerprint is shown")
			}
			if !tc.color && strings.Contains(b.String(), "\x1b[") {
				t.Error("colour codes without colour")
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestRenderNoChanges(t *testing.T) {
	var b bytes.Buffer
	RenderHuman(&b, &Plan{Deployment: "shop"}, false)
	if !strings.HasPrefix(b.String(), "No changes.") {
		t.Errorf("got %q", b.String())
	}
}

func TestJSONSchemaFields(t *testing.T) {
	var b bytes.Buffer
	if err := RenderJSON(&b, samplePlan()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format_version", "deployment", "changes", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON plan lacks %q", k)
		}
	}
	c := doc["changes"].([]any)[0].(map[string]any)
	for _, k := range []string{"address", "action", "impact", "reason", "before", "after"} {
		if _, ok := c[k]; !ok {
			t.Errorf("JSON change lacks %q", k)
		}
	}
	s := doc["summary"].(map[string]any)
	if s["add"] != 1.0 || s["change"] != 1.0 || s["replace"] != 1.0 || s["destroy"] != 1.0 || s["impact"] != "data-loss" || s["exit_code"] != 4.0 {
		t.Errorf("summary = %v", s)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		impacts []providers.Impact
		want    int
	}{
		{nil, ExitNoChanges},
		{[]providers.Impact{providers.ImpactNone}, ExitSafe},
		{[]providers.Impact{providers.ImpactMetadata, providers.ImpactOnline}, ExitSafe},
		{[]providers.Impact{providers.ImpactOnline, providers.ImpactReconnect}, ExitDisruptive},
		{[]providers.Impact{providers.ImpactRollingFailover}, ExitDisruptive},
		{[]providers.Impact{providers.ImpactNone, providers.ImpactDataLoss}, ExitDataLoss},
	} {
		p := &Plan{}
		for _, i := range tc.impacts {
			p.Changes = append(p.Changes, providers.Change{Action: providers.ActionUpdate, Impact: i})
		}
		if got := p.ExitCode(); got != tc.want {
			t.Errorf("impacts %v: exit %d, want %d", tc.impacts, got, tc.want)
		}
	}
}

func TestSaveLoadAndFreshness(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.plan")
	p := samplePlan()
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v", fi.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 7 || len(got.Changes) != 4 || got.Changes[1].Impact != providers.ImpactReconnect {
		t.Errorf("loaded %+v", got)
	}
	if err := got.CheckFresh(path, "abc", 7); err != nil {
		t.Errorf("fresh plan refused: %v", err)
	}
	var stale *StaleError
	if err := got.CheckFresh(path, "abc", 8); !errors.As(err, &stale) || !strings.Contains(err.Error(), "serial 7") {
		t.Errorf("stale serial: %v", err)
	}
	if err := got.CheckFresh(path, "other", 7); err == nil || !strings.Contains(err.Error(), "another deployment") {
		t.Errorf("other lineage: %v", err)
	}
	os.WriteFile(path, []byte(`{"kind":"something"}`), 0o600)
	if _, err := Load(path); !errors.Is(err, ErrNotPlanFile) {
		t.Errorf("not a plan: %v", err)
	}
}
