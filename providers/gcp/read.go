package gcp

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"

	"github.com/redisctl/redisctl/providers"
)

// Read refreshes each instance or cluster from the API. A resource whose
// creation was interrupted is looked up by its name (deterministic: the
// instance ID) and adopted; an operation an interrupted apply journaled and
// that is still running is kept in Private so the next apply waits for it.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	if len(req.Resources) == 0 {
		return resp, nil
	}
	c, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.close()
	for _, r := range req.Resources {
		live, drift, err := p.readOne(ctx, c, req, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address(), err)
		}
		resp.Drift = append(resp.Drift, drift...)
		if live != nil {
			resp.Resources = append(resp.Resources, *live)
		}
	}
	return resp, nil
}

// resourceName is the full API name of a resource in state.
func resourceName(r providers.Resource) string {
	if r.ID != "" {
		return r.ID
	}
	coll := "/instances/"
	if r.Type == typeCluster {
		coll = "/clusters/"
	}
	return r.Attrs["location"] + coll + r.Name
}

func (p *Provider) readOne(ctx context.Context, c *clients, req providers.ReadRequest, r providers.Resource) (*providers.Resource, []providers.Drift, error) {
	addr := r.Address()
	var drift []providers.Drift
	op, kind, failed := p.pendingOperation(ctx, c, r, req.Journals[addr])
	if failed != "" {
		drift = append(drift, providers.Drift{Address: addr, Message: failed})
	}
	// What an interrupted apply of this resource did is redisctl's own work,
	// not drift: the plan shows what is left to do.
	interrupted := len(req.Journals[addr]) > 0
	live, err := p.fetch(ctx, c, req.Deployment, resourceName(r))
	if isNotFound(err) {
		if r.ID != "" && !interrupted {
			drift = append(drift, providers.Drift{Address: addr, Message: "deleted outside redisctl; it will be created again (empty)"})
		}
		return nil, drift, nil
	}
	if err != nil {
		return nil, nil, explain("read "+resourceName(r), err)
	}
	if r.ID == "" && live.Type == typeInstance {
		if owner := providers.SplitPairs(live.Attrs["labels"])[deploymentLabel]; owner != req.Spec.Name {
			return nil, nil, fmt.Errorf("instance %s already exists and is not labelled %s=%s (it has %q): it belongs to something else; choose another provider.instanceId, or adopt it with `redisctl import`", live.ID, deploymentLabel, req.Spec.Name, owner)
		}
	}
	if r.Private[privImported] != "" {
		live.Private[privImported] = r.Private[privImported]
	}
	if op != "" {
		live.Private[privOp], live.Private[privOpKind] = op, kind
	}
	if r.ID != "" && !interrupted {
		drift = append(drift, driftOf(addr, r.Attrs, live.Attrs, op != "")...)
	}
	return live, drift, nil
}

// fetch reads an instance or cluster by its full name.
func (p *Provider) fetch(ctx context.Context, c *clients, d providers.Deployment, name string) (*providers.Resource, error) {
	if strings.Contains(name, "/clusters/") {
		cl, err := c.cluster.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: name}, c.opts...)
		if err != nil {
			return nil, err
		}
		r := clusterResource(cl)
		return &r, nil
	}
	in, err := c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: name}, c.opts...)
	if err != nil {
		return nil, err
	}
	fp := ""
	if in.GetAuthEnabled() {
		as, err := c.redis.GetInstanceAuthString(ctx, &redispb.GetInstanceAuthStringRequest{Name: name}, c.opts...)
		if err != nil {
			return nil, explain("read the AUTH string of "+name, err)
		}
		if d.Fingerprint != nil {
			fp = d.Fingerprint(as.GetAuthString())
		}
	}
	r := instanceResource(in, fp)
	return &r, nil
}

// pendingOperation finds the operation an interrupted apply left running:
// journaled ("op:…" entries) or kept in Private by an earlier refresh. One
// that finished with an error is reported (failed) instead.
func (p *Provider) pendingOperation(ctx context.Context, c *clients, r providers.Resource, journal map[string]string) (name, kind, failed string) {
	type cand struct{ name, kind string }
	var cands []cand
	if r.Private[privOp] != "" {
		cands = append(cands, cand{r.Private[privOp], r.Private[privOpKind]})
	}
	keys := make([]string, 0, len(journal))
	for k := range journal {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if step, ok := strings.CutPrefix(k, journalOp); ok {
			kind, _, _ := strings.Cut(step, ":")
			cands = append(cands, cand{journal[k], kind})
		}
	}
	for _, cd := range cands {
		op, err := c.redis.GetOperation(ctx, &longrunningpb.GetOperationRequest{Name: cd.name}, c.opts...)
		if err != nil {
			continue // expired or unreachable: the resource's state tells the rest
		}
		if !op.GetDone() {
			return cd.name, cd.kind, ""
		}
		if e := op.GetError(); e != nil {
			failed = fmt.Sprintf("the interrupted %s (operation %s) failed: %s", cd.kind, cd.name, e.GetMessage())
		}
	}
	return "", "", failed
}

// driftOf reports attributes changed outside redisctl.
func driftOf(addr string, recorded, live map[string]string, opPending bool) []providers.Drift {
	var out []providers.Drift
	keys := make([]string, 0, len(recorded))
	for k := range recorded {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		was, now := recorded[k], live[k]
		if was == now {
			continue
		}
		switch k {
		case "state":
			if !opPending {
				out = append(out, providers.Drift{Address: addr, Message: fmt.Sprintf("is %s (maintenance or an operation outside redisctl); apply waits for it to finish", now)})
			}
		case authStringAttr:
			out = append(out, providers.Drift{Address: addr, Message: "the AUTH string changed outside redisctl; clients need the new one (redisctl output --show-secrets)"})
		default:
			out = append(out, providers.Drift{Address: addr, Message: fmt.Sprintf("%s is %q, state says %q (changed outside redisctl)", k, now, was)})
		}
	}
	return out
}

// Status reports each instance or cluster as one row.
func (p *Provider) Status(ctx context.Context, req providers.StatusRequest) (*providers.StatusResponse, error) {
	resp := &providers.StatusResponse{}
	if len(req.Resources) == 0 {
		return resp, nil
	}
	c, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.close()
	for _, r := range req.Resources {
		ns := providers.NodeStatus{Name: r.Name, UsedMemory: -1, MaxMemory: -1, Keys: -1}
		if r.Type == typeCluster {
			cl, err := c.cluster.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: resourceName(r)}, c.opts...)
			if err != nil {
				ns.Detail = explain("get cluster", err).Error()
				resp.Nodes = append(resp.Nodes, ns)
				continue
			}
			ns.Role, ns.Up = "cluster", cl.GetState() == clusterpb.Cluster_ACTIVE
			if eps := cl.GetDiscoveryEndpoints(); len(eps) > 0 {
				ns.Address = net.JoinHostPort(eps[0].GetAddress(), strconv.Itoa(int(eps[0].GetPort())))
			}
			ns.Detail = fmt.Sprintf("%s: %d shards × %d replicas, %s, %.1f GB", cl.GetState(), cl.GetShardCount(), cl.GetReplicaCount(), cl.GetNodeType(), cl.GetPreciseSizeGb())
			resp.Nodes = append(resp.Nodes, ns)
			continue
		}
		in, err := c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: resourceName(r)}, c.opts...)
		if err != nil {
			ns.Detail = explain("get instance", err).Error()
			resp.Nodes = append(resp.Nodes, ns)
			continue
		}
		ns.Role, ns.Up = "primary", in.GetState() == redispb.Instance_READY
		ns.Address = net.JoinHostPort(in.GetHost(), strconv.Itoa(int(in.GetPort())))
		ns.MaxMemory = int64(in.GetMemorySizeGb()) * gib
		var zones []string
		for _, n := range in.GetNodes() {
			zones = append(zones, n.GetZone())
		}
		ns.Detail = fmt.Sprintf("%s: %s, %d replicas, nodes in %s", in.GetState(), in.GetTier(), in.GetReplicaCount(), strings.Join(zones, ", "))
		resp.Nodes = append(resp.Nodes, ns)
	}
	return resp, nil
}

// HasPassword reports whether an instance has AUTH on (clusters use IAM
// authentication, with no static password).
func (p *Provider) HasPassword(resources []providers.Resource) bool {
	for _, r := range resources {
		if r.Type == typeInstance && r.Attrs["auth_enabled"] == "true" {
			return true
		}
	}
	return false
}
