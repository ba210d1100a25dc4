package topology_test

import (
	"path/filepath"
	"testing"

	"github.com/redisctl/redisctl/topology"
)

// TestExamples loads and plans every example shipped in examples/.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := topology.Load(file)
			if err != nil {
				t.Fatalf("Load:\n%v", err)
			}
			p, err := topology.PlanNodes(s)
			if err != nil {
				t.Fatalf("PlanNodes: %v", err)
			}
			if len(p.Nodes) == 0 || p.Count(topology.RolePrimary) == 0 {
				t.Fatalf("plan has no primary: %+v", p)
			}
		})
	}
}

// TestQuickstart pins what the README promises about examples/quickstart.yaml.
func TestQuickstart(t *testing.T) {
	s, err := topology.Load("../examples/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "quickstart" || s.Layout != topology.LayoutSingle || s.Network.BasePort != 7000 ||
		s.Provider.Name != "local" || s.Memory.String() != "256Mi" {
		t.Errorf("quickstart = %+v", s)
	}
}
