package local

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// A cluster layout is its data nodes plus one "cluster" resource standing
// for their assembly: which nodes are members, which primary serves which
// slots and which replica follows which primary. Creating it introduces
// the nodes (CLUSTER MEET), assigns slots and attaches replicas; the
// assembly is idempotent, so adding replicas updates it in place.

const typeCluster = "cluster"

// clusterResource describes the desired assembly.
func clusterResource(d providers.Deployment, nodes []providers.Resource) providers.Resource {
	addrs := map[string]string{}
	for _, r := range nodes {
		if r.Type == typeNode {
			addrs[r.Name] = net.JoinHostPort(connectHost(r.Attrs["bind"]), r.Attrs["port"])
		}
	}
	var slots, members []string
	var deps []string
	for _, n := range d.Nodes.Nodes {
		if n.Role == topology.RoleSentinel {
			continue
		}
		members = append(members, n.Name+"@"+addrs[n.Name])
		deps = append(deps, typeNode+"."+n.Name)
		if n.Role == topology.RolePrimary {
			slots = append(slots, n.Name+":"+formatSlots(n.Slots))
		}
	}
	return providers.Resource{
		Type: typeCluster, Name: d.Spec.Name,
		Attrs: map[string]string{
			"slots":   strings.Join(slots, " "),
			"members": strings.Join(members, " "),
		},
		Private:   map[string]string{},
		DependsOn: deps,
	}
}

func formatSlots(rs []topology.SlotRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
		if r.Start == r.End {
			parts[i] = strconv.Itoa(r.Start)
		}
	}
	return strings.Join(parts, ",")
}

// member is a node of the cluster as apply sees it.
type member struct {
	name    string
	addr    string // host:port
	primary string // name of its primary, for replicas
	slots   []topology.SlotRange
}

func clusterMembers(d providers.Deployment, desired []providers.Resource) ([]member, error) {
	addrs := map[string]string{}
	for _, r := range desired {
		if r.Type == typeNode {
			addrs[r.Name] = net.JoinHostPort(connectHost(r.Attrs["bind"]), r.Attrs["port"])
		}
	}
	var out []member
	for _, n := range d.Nodes.Nodes {
		if n.Role == topology.RoleSentinel {
			continue
		}
		a, ok := addrs[n.Name]
		if !ok {
			return nil, fmt.Errorf("cluster member %s has no address", n.Name)
		}
		out = append(out, member{name: n.Name, addr: a, primary: n.Primary, slots: n.Slots})
	}
	return out, nil
}

// assemble makes the running nodes one cluster. reset first wipes every
// node's data and cluster state (a re-sharding replacement).
func (p *Provider) assemble(ctx context.Context, req providers.ApplyRequest, members []member, reset bool) error {
	clients := map[string]*redis.Client{}
	for _, m := range members {
		host, port, _ := splitHostPort(m.addr)
		c := dial(host, port, req.Secrets.Password)
		defer c.Close()
		clients[m.name] = c
	}
	if reset {
		for _, m := range members {
			c := clients[m.name]
			if err := c.FlushAll(ctx).Err(); err != nil && !strings.Contains(err.Error(), "READONLY") {
				return fmt.Errorf("%s: FLUSHALL: %w", m.name, err)
			}
			if err := c.ClusterResetHard(ctx).Err(); err != nil {
				return fmt.Errorf("%s: CLUSTER RESET HARD: %w", m.name, err)
			}
		}
	}
	ids := map[string]string{}
	for _, m := range members {
		id, err := clients[m.name].Do(ctx, "CLUSTER", "MYID").Text()
		if err != nil {
			return fmt.Errorf("%s: CLUSTER MYID: %w (is cluster-enabled on?)", m.name, err)
		}
		ids[m.name] = id
	}
	// Forget nodes that are no longer members, then meet everyone.
	first := clients[members[0].name]
	for _, m := range members {
		for id, addr := range knownNodes(ctx, clients[m.name]) {
			if !containsValue(ids, id) {
				req.Progress(fmt.Sprintf("%s forgets %s (%s)", m.name, id[:8], addr))
				_ = clients[m.name].ClusterForget(ctx, id).Err()
			}
		}
	}
	for _, m := range members[1:] {
		host, port, _ := splitHostPort(m.addr)
		if err := first.ClusterMeet(ctx, host, strconv.Itoa(port)).Err(); err != nil {
			return fmt.Errorf("CLUSTER MEET %s: %w", m.addr, err)
		}
	}
	req.Progress(fmt.Sprintf("introduced %d nodes", len(members)))
	for _, m := range members {
		if len(m.slots) == 0 {
			continue
		}
		owned := ownedSlots(ctx, clients[m.name], ids[m.name])
		for _, r := range m.slots {
			var missing []int
			for s := r.Start; s <= r.End; s++ {
				if !owned[s] {
					missing = append(missing, s)
				}
			}
			if len(missing) == 0 {
				continue
			}
			if err := clients[m.name].ClusterAddSlots(ctx, missing...).Err(); err != nil {
				return fmt.Errorf("%s: CLUSTER ADDSLOTS: %w", m.name, err)
			}
		}
	}
	// A replica can follow its primary only once it has heard of it.
	deadline := time.Now().Add(p.StartTimeout)
	for _, m := range members {
		if m.primary == "" {
			continue
		}
		for {
			err := clients[m.name].ClusterReplicate(ctx, ids[m.primary]).Err()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: CLUSTER REPLICATE %s: %w", m.name, m.primary, err)
			}
			if err := providers.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
		}
	}
	req.Progress("waiting for cluster_state:ok")
	for _, m := range members {
		for {
			info, err := clients[m.name].ClusterInfo(ctx).Result()
			if err == nil && infoFields(info)["cluster_state"] == "ok" {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: cluster not ok after %s: %v %s", m.name, p.StartTimeout, err, strings.TrimSpace(info))
			}
			if err := providers.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
		}
	}
	return nil
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// knownNodes lists the node IDs and addresses a node knows (itself excluded).
func knownNodes(ctx context.Context, c *redis.Client) map[string]string {
	out := map[string]string{}
	s, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.Contains(f[2], "myself") {
			continue
		}
		out[f[0]] = f[1]
	}
	return out
}

// ownedSlots is the set of slots the node with id serves, per its view.
func ownedSlots(ctx context.Context, c *redis.Client, id string) map[int]bool {
	out := map[int]bool{}
	s, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != id {
			continue
		}
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue
			}
			a, b, found := strings.Cut(r, "-")
			lo, _ := strconv.Atoi(a)
			hi := lo
			if found {
				hi, _ = strconv.Atoi(b)
			}
			for s := lo; s <= hi; s++ {
				out[s] = true
			}
		}
	}
	return out
}

// readCluster observes the running assembly: which slots each member serves.
func readCluster(ctx context.Context, r providers.Resource, nodes []providers.Resource) (*providers.Resource, []providers.Drift) {
	live := r.Clone()
	byAddr := map[string]string{}
	var probe *providers.Resource
	for i := range nodes {
		n := &nodes[i]
		if n.Type != typeNode {
			continue
		}
		byAddr[net.JoinHostPort(connectHost(n.Attrs["bind"]), n.Attrs["port"])] = n.Name
		if probe == nil {
			probe = n
		}
	}
	if probe == nil {
		return nil, []providers.Drift{{Address: r.Address(), Message: "no member node is running; the cluster will be assembled again"}}
	}
	port, _ := strconv.Atoi(probe.Attrs["port"])
	c := dial(connectHost(probe.Attrs["bind"]), port, nodePassword(probe.Private[privDir]))
	defer c.Close()
	s, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return nil, []providers.Drift{{Address: r.Address(), Message: fmt.Sprintf("CLUSTER NODES on %s: %v; the cluster will be assembled again", probe.Name, err)}}
	}
	var slots, members []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		addr := f[1]
		if i := strings.IndexAny(addr, "@,"); i >= 0 {
			addr = addr[:i]
		}
		name, ok := byAddr[addr]
		if !ok {
			name = "unknown"
		}
		members = append(members, name+"@"+addr)
		if len(f) > 8 {
			slots = append(slots, name+":"+strings.Join(f[8:], ","))
		}
	}
	order := func(xs []string) []string {
		sort.Slice(xs, func(i, j int) bool { return naturalLess(xs[i], xs[j]) })
		return xs
	}
	live.Attrs["slots"] = strings.Join(order(slots), " ")
	live.Attrs["members"] = strings.Join(order(members), " ")
	var drift []providers.Drift
	for _, k := range []string{"slots", "members"} {
		if live.Attrs[k] != r.Attrs[k] {
			drift = append(drift, providers.Drift{Address: r.Address(), Message: fmt.Sprintf("cluster %s are %q, state says %q", k, live.Attrs[k], r.Attrs[k])})
		}
	}
	return &live, drift
}

// naturalLess orders "shard-2-0" before "shard-10-0".
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			x, _ := strconv.Atoi(da)
			y, _ := strconv.Atoi(db)
			if x != y {
				return x < y
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// applyCluster assembles (create, update), re-assembles from scratch
// (replace) or lets go of (delete) the cluster.
func (p *Provider) applyCluster(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	c := req.Change
	if c.Action == providers.ActionDelete {
		return &providers.ApplyResponse{}, nil
	}
	desired, err := p.desired(req.Deployment, nil, "")
	if err != nil {
		return nil, err
	}
	// Ports of existing nodes come from state, not from a fresh allocation.
	for i := range desired {
		desired[i].Attrs["port"] = portFromMembers(c.After.Attrs["members"], desired[i].Name, desired[i].Attrs["port"])
	}
	members, err := clusterMembers(req.Deployment, desired)
	if err != nil {
		return nil, err
	}
	if err := p.assemble(ctx, req, members, c.Action == providers.ActionReplace); err != nil {
		return nil, err
	}
	out := c.After.Clone()
	out.ID = req.Spec.Name
	return &providers.ApplyResponse{Resource: &out}, nil
}

// portFromMembers finds name's port in a members attribute
// ("shard-0-0@127.0.0.1:7200 ...").
func portFromMembers(members, name, fallback string) string {
	for _, m := range strings.Fields(members) {
		n, addr, ok := strings.Cut(m, "@")
		if ok && n == name {
			if _, port, err := net.SplitHostPort(addr); err == nil {
				return port
			}
		}
	}
	return fallback
}
