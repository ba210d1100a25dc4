package local

import (
	"context"
	"net"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Private keys the local provider keeps in state.
const (
	privDir    = "dir"         // the node's directory
	privPID    = "pid"         // the running process
	privOffset = "port_offset" // port - basePort; stable across base port changes
)

const engineBundled = "bundled"

// Plan diffs the desired nodes against the running ones.
func (p *Provider) Plan(_ context.Context, req providers.PlanRequest) (*providers.PlanResponse, error) {
	current := map[string]providers.Resource{}
	for _, r := range req.Current {
		current[r.Address()] = r
	}
	resp := &providers.PlanResponse{}
	if req.Destroy {
		for _, r := range req.Current {
			resp.Changes = append(resp.Changes, deleteChange(r, true, req.Current))
		}
		return resp, nil
	}
	desired, err := p.desired(req.Deployment, req.Current, req.PasswordFingerprint)
	if err != nil {
		return nil, err
	}
	persistent := req.Spec.Persistence.Mode != "" && req.Spec.Persistence.Mode != topology.PersistenceNone
	wanted := map[string]bool{}
	for _, want := range desired {
		addr := want.Address()
		wanted[addr] = true
		var before *providers.Resource
		if cur, ok := current[addr]; ok {
			before = &cur
		}
		w := want
		c := ruleSet.Diff(before, &w)
		if c == nil {
			continue
		}
		if c.Action == providers.ActionReplace && want.Type == typeNode && want.Attrs["role"] == string(topology.RolePrimary) && !persistent {
			c.Impact = providers.ImpactDataLoss
			c.Reason += " (persistence is none, so the node restarts empty)"
		}
		c.DependsOn = want.DependsOn
		resp.Changes = append(resp.Changes, *c)
	}
	for _, r := range req.Current {
		if !wanted[r.Address()] {
			resp.Changes = append(resp.Changes, deleteChange(r, false, req.Current))
		}
	}
	return resp, nil
}

// deleteChange removes a resource. Sentinels go first, then replicas, then
// primaries, so nothing fails over onto a node about to disappear.
func deleteChange(r providers.Resource, destroy bool, all []providers.Resource) providers.Change {
	c := ruleSet.Diff(&r, nil)
	c.Impact = providers.ImpactOnline
	switch {
	case r.Type == typeNode && r.Attrs["role"] == string(topology.RolePrimary):
		c.Impact = providers.ImpactDataLoss
		c.Reason = "no longer in the spec; its data is deleted"
	case r.Type == typeNode:
		c.Impact = providers.ImpactReconnect
		c.Reason = "no longer in the spec; clients reading from it must reconnect"
	}
	if destroy {
		c.Reason = "destroy"
	}
	rank := deleteRank(r)
	for _, o := range all {
		if o.Address() != r.Address() && deleteRank(o) < rank {
			c.DependsOn = append(c.DependsOn, o.Address())
		}
	}
	return *c
}

func deleteRank(r providers.Resource) int {
	switch {
	case r.Type == typeSentinel, r.Type == typeCluster:
		return 0
	case r.Attrs["role"] == string(topology.RoleReplica):
		return 1
	}
	return 2
}

// desired builds the resources the spec asks for. Ports: a node keeps its
// offset from the base port for life; new nodes take the lowest free offset.
func (p *Provider) desired(d providers.Deployment, current []providers.Resource, passwordFP string) ([]providers.Resource, error) {
	spec := d.Spec
	s := settings(spec)
	dir, err := baseDir(d)
	if err != nil {
		return nil, err
	}
	engine := engineBundled
	if s.EngineBinary != "" {
		engine = s.EngineBinary
	}
	bind := bindAddr(spec)
	base := spec.Network.BasePort

	offsets := map[string]int{}
	used := map[int]bool{}
	for _, r := range current {
		if o, err := strconv.Atoi(r.Private[privOffset]); err == nil {
			offsets[r.Address()] = o
			used[o] = true
		}
	}
	next := 0
	offsetOf := func(addr string) int {
		if o, ok := offsets[addr]; ok {
			return o
		}
		for used[next] {
			next++
		}
		used[next] = true
		offsets[addr] = next
		return next
	}

	var out []providers.Resource
	var dataAddrs []string
	primaryPort := map[string]int{}
	for _, n := range d.Nodes.Nodes {
		if n.Role == topology.RoleSentinel {
			continue
		}
		addr := typeNode + "." + n.Name
		off := offsetOf(addr)
		port := base + off
		primaryPort[n.Name] = port
		r := providers.Resource{
			Type: typeNode, Name: n.Name,
			Attrs: map[string]string{
				"role":             string(n.Role),
				"port":             strconv.Itoa(port),
				"bind":             bind,
				"maxmemory":        canonicalMemory(spec.Memory.Bytes),
				"maxmemory_policy": string(spec.EvictionPolicy),
				"persistence":      string(spec.Persistence.Mode),
				"password":         passwordFP,
				"replicaof":        "",
				"engine":           engine,
				"cluster_enabled":  yesNo(spec.Layout == topology.LayoutCluster),
			},
			Private:   map[string]string{privDir: filepath.Join(dir, n.Name), privOffset: strconv.Itoa(off)},
			Endpoints: []providers.Endpoint{{Host: connectHost(bind), Port: port, Role: string(n.Role)}},
		}
		if spec.Persistence.Mode == topology.PersistenceAOF {
			r.Attrs["appendfsync"] = string(spec.Persistence.Fsync)
		}
		if n.Primary != "" && spec.Layout != topology.LayoutCluster {
			r.Attrs["replicaof"] = net.JoinHostPort(connectHost(bind), strconv.Itoa(primaryPort[n.Primary]))
			r.DependsOn = []string{typeNode + "." + n.Primary}
		}
		dataAddrs = append(dataAddrs, addr)
		out = append(out, r)
	}
	for _, n := range d.Nodes.Nodes {
		if n.Role != topology.RoleSentinel {
			continue
		}
		addr := typeSentinel + "." + n.Name
		off := offsetOf(addr)
		port := base + off
		primary := net.JoinHostPort(connectHost(bind), strconv.Itoa(primaryPort[primaryOf(d.Nodes)]))
		r := providers.Resource{
			Type: typeSentinel, Name: n.Name,
			Attrs: map[string]string{
				"port":     strconv.Itoa(port),
				"bind":     bind,
				"master":   d.Nodes.MasterName + " " + primary,
				"quorum":   strconv.Itoa(d.Nodes.Quorum),
				"password": passwordFP,
				"engine":   engine,
			},
			Private:   map[string]string{privDir: filepath.Join(dir, n.Name), privOffset: strconv.Itoa(off)},
			Endpoints: []providers.Endpoint{{Host: connectHost(bind), Port: port, Role: "sentinel"}},
			DependsOn: append([]string(nil), dataAddrs...),
		}
		out = append(out, r)
	}
	if spec.Layout == topology.LayoutCluster {
		out = append(out, clusterResource(d, out))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Address() < out[j].Address() })
	return out, nil
}

// primaryOf names the layout's first primary (the one sentinels monitor).
func primaryOf(np *topology.NodePlan) string {
	for _, n := range np.Nodes {
		if n.Role == topology.RolePrimary {
			return n.Name
		}
	}
	return ""
}

// canonicalMemory writes a byte count the way Read reports it, so "1024Mi"
// in a spec and 1073741824 from CONFIG GET compare equal.
func canonicalMemory(b int64) string { return topology.Quantity{Bytes: b}.String() }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
