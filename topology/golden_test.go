package topology

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./topology -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update and review the diff):\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

func TestInvalidSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata/invalid-*.yaml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := Load(file)
			if err == nil {
				t.Fatalf("Load succeeded (%+v); want problems", s)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load error is %T, want Problems: %v", err, err)
			}
			for _, p := range ps {
				if p.File != file || p.Line < 1 || p.Column < 1 {
					t.Errorf("problem without a position: %#v", p)
				}
			}
			checkGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

func TestValidSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid-*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata/valid-*.yaml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			p, err := PlanNodes(s)
			if err != nil {
				t.Fatalf("PlanNodes: %v", err)
			}
			checkGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(describePlan(s, p)))
		})
	}
}

// describePlan renders the defaulted spec's layout fields and the node plan
// as text for golden files.
func describePlan(s *Spec, p *NodePlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s, layout %s, shards %d, replicas %d, sentinels %d, memory %s (%d bytes)\n",
		s.Provider.Name, s.Layout, s.Shards, s.Replicas, s.Sentinels, s.Memory, s.Memory.Bytes)
	fmt.Fprintf(&b, "eviction %s, persistence %s/%s, auth %q, tls %t, engine %s %s\n",
		s.EvictionPolicy, s.Persistence.Mode, s.Persistence.Fsync, s.Auth.Password, s.TLS.Enabled, s.Engine.Name, s.Engine.Version)
	fmt.Fprintf(&b, "network bind %q, basePort %d, allowed %v; zones %v; labels %v\n",
		s.Network.Bind, s.Network.BasePort, s.Network.AllowedCIDRs, s.Zones, s.Labels)
	if p.Quorum > 0 {
		fmt.Fprintf(&b, "quorum %d, master %s\n", p.Quorum, p.MasterName)
	}
	for _, n := range p.Nodes {
		fmt.Fprintf(&b, "%-12s %-8s shard=%d zone=%q primary=%q slots=%v\n", n.Name, n.Role, n.Shard, n.Zone, n.Primary, n.Slots)
	}
	return b.String()
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}
