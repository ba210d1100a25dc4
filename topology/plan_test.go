package topology

import (
	"fmt"
	"reflect"
	"testing"
)

func planOf(t *testing.T, body string) *NodePlan {
	t.Helper()
	p, err := PlanNodes(mustParse(t, body))
	if err != nil {
		t.Fatalf("PlanNodes: %v", err)
	}
	return p
}

func names(p *NodePlan) []string {
	var out []string
	for _, n := range p.Nodes {
		out = append(out, n.Name)
	}
	return out
}

func TestPlanSingle(t *testing.T) {
	p := planOf(t, "")
	want := []Node{{Name: "node-0", Role: RolePrimary}}
	if !reflect.DeepEqual(p.Nodes, want) || p.Layout != LayoutSingle || p.Quorum != 0 {
		t.Errorf("plan = %+v, want %+v", p, want)
	}
}

func TestPlanHA(t *testing.T) {
	p := planOf(t, "layout: ha\nreplicas: 2\nsentinels: 5\nzones: [a, b, c]\n")
	want := []Node{
		{Name: "node-0", Role: RolePrimary, Zone: "a"},
		{Name: "node-1", Role: RoleReplica, Primary: "node-0", Zone: "b"},
		{Name: "node-2", Role: RoleReplica, Primary: "node-0", Zone: "c"},
		{Name: "sentinel-0", Role: RoleSentinel, Zone: "a"},
		{Name: "sentinel-1", Role: RoleSentinel, Zone: "b"},
		{Name: "sentinel-2", Role: RoleSentinel, Zone: "c"},
		{Name: "sentinel-3", Role: RoleSentinel, Zone: "a"},
		{Name: "sentinel-4", Role: RoleSentinel, Zone: "b"},
	}
	if !reflect.DeepEqual(p.Nodes, want) {
		t.Errorf("nodes:\n%+v\nwant:\n%+v", p.Nodes, want)
	}
	if p.Quorum != 3 || p.MasterName != "demo" {
		t.Errorf("quorum %d master %q, want 3 demo", p.Quorum, p.MasterName)
	}
	for _, tt := range []struct{ sentinels, quorum int }{{1, 1}, {3, 2}, {5, 3}, {7, 4}} {
		p := planOf(t, fmt.Sprintf("layout: ha\nsentinels: %d\n", tt.sentinels))
		if p.Quorum != tt.quorum || p.Count(RoleSentinel) != tt.sentinels {
			t.Errorf("%d sentinels: quorum %d count %d, want %d %d", tt.sentinels, p.Quorum, p.Count(RoleSentinel), tt.quorum, tt.sentinels)
		}
	}
}

func TestPlanCluster(t *testing.T) {
	p := planOf(t, "layout: cluster\nshards: 3\nreplicas: 1\nzones: [a, b]\n")
	want := []Node{
		{Name: "shard-0-0", Role: RolePrimary, Shard: 0, Zone: "a", Slots: []SlotRange{{0, 5461}}},
		{Name: "shard-0-1", Role: RoleReplica, Shard: 0, Primary: "shard-0-0", Zone: "b"},
		{Name: "shard-1-0", Role: RolePrimary, Shard: 1, Zone: "b", Slots: []SlotRange{{5462, 10922}}},
		{Name: "shard-1-1", Role: RoleReplica, Shard: 1, Primary: "shard-1-0", Zone: "a"},
		{Name: "shard-2-0", Role: RolePrimary, Shard: 2, Zone: "a", Slots: []SlotRange{{10923, 16383}}},
		{Name: "shard-2-1", Role: RoleReplica, Shard: 2, Primary: "shard-2-0", Zone: "b"},
	}
	if !reflect.DeepEqual(p.Nodes, want) {
		t.Errorf("nodes:\n%+v\nwant:\n%+v", p.Nodes, want)
	}
}

func TestSplitSlotsCoversEverySlotOnce(t *testing.T) {
	for k := 1; k <= MaxShards; k++ {
		ranges := SplitSlots(k)
		if len(ranges) != k {
			t.Fatalf("k=%d: %d ranges", k, len(ranges))
		}
		next := 0
		for i, r := range ranges {
			if r.Start != next || r.End < r.Start {
				t.Fatalf("k=%d: range %d is %v, want it to start at %d", k, i, r, next)
			}
			size := r.End - r.Start + 1
			want := SlotCount / k
			if i < SlotCount%k {
				want++
			}
			if size != want {
				t.Fatalf("k=%d: range %d holds %d slots, want %d", k, i, size, want)
			}
			next = r.End + 1
		}
		if next != SlotCount {
			t.Fatalf("k=%d: ranges end at %d, want %d", k, next-1, SlotCount-1)
		}
	}
}

func TestPlanZoneRule(t *testing.T) {
	zoneSets := [][]string{nil, {"a", "b"}, {"a", "b", "c"}, {"a", "b", "c", "d", "e", "f", "g"}}
	for _, zones := range zoneSets {
		for shards := 1; shards <= 7; shards++ {
			for replicas := 0; replicas <= MaxReplicas; replicas++ {
				s := &Spec{APIVersion: APIVersion, Kind: Kind, Name: "z", Layout: LayoutCluster, Shards: shards, Replicas: replicas, Zones: zones}
				Default(s)
				s.Replicas = replicas // Default treats 0 as unset for specs built in code
				p, err := PlanNodes(s)
				if err != nil {
					t.Fatal(err)
				}
				checkZones(t, fmt.Sprintf("zones %v shards %d replicas %d", zones, shards, replicas), p, zones, replicas)
			}
		}
	}
}

// checkZones asserts the placement rule: a replica never shares its
// primary's zone, and a primary's replicas spread evenly over the other zones
// (no zone holds more than ceil(replicas / (zones-1)) of them).
func checkZones(t *testing.T, name string, p *NodePlan, zones []string, replicas int) {
	t.Helper()
	zoneOf := map[string]string{}
	perPrimary := map[string]map[string]int{}
	for _, n := range p.Nodes {
		zoneOf[n.Name] = n.Zone
		if n.Role == RoleReplica {
			if perPrimary[n.Primary] == nil {
				perPrimary[n.Primary] = map[string]int{}
			}
			perPrimary[n.Primary][n.Zone]++
		}
	}
	for _, n := range p.Nodes {
		if (len(zones) > 0) != (n.Zone != "") {
			t.Errorf("%s: node %s has zone %q with zones %v", name, n.Name, n.Zone, zones)
		}
		if n.Role == RoleReplica && len(zones) > 1 && n.Zone == zoneOf[n.Primary] {
			t.Errorf("%s: replica %s shares zone %q with its primary", name, n.Name, n.Zone)
		}
	}
	if len(zones) < 2 {
		return
	}
	limit := (replicas + len(zones) - 2) / (len(zones) - 1)
	for primary, counts := range perPrimary {
		for z, c := range counts {
			if c > limit {
				t.Errorf("%s: %s has %d replicas in zone %s (limit %d)", name, primary, c, z, limit)
			}
		}
	}
}

func TestPlanNamesAreStable(t *testing.T) {
	small := planOf(t, "layout: cluster\nshards: 2\nreplicas: 1\nzones: [a, b, c]\n")
	big := planOf(t, "layout: cluster\nshards: 4\nreplicas: 2\nzones: [a, b, c]\n")
	zones := map[string]string{}
	for _, n := range big.Nodes {
		zones[n.Name] = n.Zone
	}
	for _, n := range small.Nodes {
		z, ok := zones[n.Name]
		if !ok || z != n.Zone {
			t.Errorf("node %s (zone %s) is missing or moved in the grown plan (zone %q)", n.Name, n.Zone, z)
		}
	}
	haSmall := planOf(t, "layout: ha\nreplicas: 1\n")
	haBig := planOf(t, "layout: ha\nreplicas: 3\nsentinels: 5\n")
	if got := names(haBig)[:2]; !reflect.DeepEqual(got, names(haSmall)[:2]) {
		t.Errorf("ha data nodes renamed: %v vs %v", got, names(haSmall)[:2])
	}
}

func TestPlanNodesRejectsInvalid(t *testing.T) {
	for _, s := range []*Spec{
		{Layout: "mesh"},
		{Layout: LayoutHA, Sentinels: 2},
		{Layout: LayoutCluster, Shards: 0},
		{Layout: LayoutCluster, Shards: 2, Replicas: 1, Zones: []string{"a"}},
		{Layout: LayoutSingle, Replicas: 1},
	} {
		if _, err := PlanNodes(s); err == nil {
			t.Errorf("PlanNodes(%+v) = nil error, want one", s)
		}
	}
}
