package topology

import (
	"fmt"
	"strconv"
)

// PlanNodes turns a defaulted, valid spec into the nodes it asks for. It is
// pure and deterministic: the same spec always gives the same plan, and a
// node's name depends only on its place (shard, ordinal), so growing a
// deployment never renames the nodes it already has.
func PlanNodes(s *Spec) (*NodePlan, error) {
	if err := checkPlannable(s); err != nil {
		return nil, err
	}
	p := &NodePlan{Layout: s.Layout}
	switch s.Layout {
	case LayoutSingle:
		p.Nodes = []Node{{Name: "node-0", Role: RolePrimary, Zone: zoneAt(s.Zones, 0)}}
	case LayoutHA:
		p.Nodes = planHA(s)
		p.Quorum = s.Sentinels/2 + 1
		p.MasterName = s.Name
	case LayoutCluster:
		p.Nodes = planCluster(s)
	}
	return p, nil
}

// checkPlannable rejects what the planner cannot lay out. Validate reports
// the same mistakes with positions; this guards specs that skipped it.
func checkPlannable(s *Spec) error {
	if s.Replicas < 0 || s.Replicas > MaxReplicas {
		return fmt.Errorf("plan nodes: replicas must be between 0 and %d, got %d", MaxReplicas, s.Replicas)
	}
	if len(s.Zones) == 1 && s.Replicas > 0 {
		return fmt.Errorf("plan nodes: replicas need at least 2 zones to avoid their primary's zone, got 1")
	}
	switch s.Layout {
	case LayoutSingle:
		if s.Replicas != 0 {
			return fmt.Errorf("plan nodes: layout single has no replicas, got %d", s.Replicas)
		}
	case LayoutHA:
		if s.Sentinels < 1 || s.Sentinels%2 == 0 {
			return fmt.Errorf("plan nodes: ha needs an odd number of sentinels, got %d", s.Sentinels)
		}
	case LayoutCluster:
		if s.Shards < 1 || s.Shards > MaxShards {
			return fmt.Errorf("plan nodes: cluster needs 1 to %d shards, got %d", MaxShards, s.Shards)
		}
	default:
		return fmt.Errorf("plan nodes: unknown layout %q", s.Layout)
	}
	return nil
}

// zoneAt is the i-th zone, cycling; "" when there are no zones.
func zoneAt(zones []string, i int) string {
	if len(zones) == 0 {
		return ""
	}
	return zones[i%len(zones)]
}

// replicaZone places replica r (1-based) of a primary in zone index primary:
// cycling over the other zones, so it never shares the primary's zone and
// the members of a group spread out before any zone repeats.
func replicaZone(zones []string, primary, r int) string {
	if len(zones) < 2 {
		return zoneAt(zones, 0)
	}
	offset := 1 + (r-1)%(len(zones)-1)
	return zones[(primary+offset)%len(zones)]
}

func planHA(s *Spec) []Node {
	nodes := []Node{{Name: "node-0", Role: RolePrimary, Zone: zoneAt(s.Zones, 0)}}
	for r := 1; r <= s.Replicas; r++ {
		nodes = append(nodes, Node{Name: "node-" + strconv.Itoa(r), Role: RoleReplica, Primary: "node-0", Zone: replicaZone(s.Zones, 0, r)})
	}
	for i := range s.Sentinels {
		nodes = append(nodes, Node{Name: "sentinel-" + strconv.Itoa(i), Role: RoleSentinel, Zone: zoneAt(s.Zones, i)})
	}
	return nodes
}

func planCluster(s *Spec) []Node {
	nodes := make([]Node, 0, s.Shards*(1+s.Replicas))
	for shard, slots := range SplitSlots(s.Shards) {
		primary := fmt.Sprintf("shard-%d-0", shard)
		nodes = append(nodes, Node{Name: primary, Role: RolePrimary, Shard: shard, Zone: zoneAt(s.Zones, shard), Slots: []SlotRange{slots}})
		for r := 1; r <= s.Replicas; r++ {
			nodes = append(nodes, Node{
				Name: fmt.Sprintf("shard-%d-%d", shard, r), Role: RoleReplica, Shard: shard,
				Primary: primary, Zone: replicaZone(s.Zones, shard%max(len(s.Zones), 1), r),
			})
		}
	}
	return nodes
}

// SplitSlots divides the 16384 hash slots into k contiguous ranges, in order;
// the first 16384 mod k ranges hold one slot more than the others.
func SplitSlots(k int) []SlotRange {
	if k < 1 || k > SlotCount {
		panic(fmt.Sprintf("topology: cannot split slots %d ways", k))
	}
	ranges := make([]SlotRange, k)
	base, extra := SlotCount/k, SlotCount%k
	start := 0
	for i := range ranges {
		n := base
		if i < extra {
			n++
		}
		ranges[i] = SlotRange{Start: start, End: start + n - 1}
		start += n
	}
	return ranges
}

// Count returns how many nodes of the plan have role r.
func (p *NodePlan) Count(r Role) int {
	n := 0
	for _, node := range p.Nodes {
		if node.Role == r {
			n++
		}
	}
	return n
}
