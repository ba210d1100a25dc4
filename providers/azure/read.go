package azure

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/providers"
)

// Read refreshes each resource from Azure. One whose creation was
// interrupted is looked up by its name; one still in a transitional state
// keeps the resume token of the operation it waits on. Attributes changed
// outside redisctl are reported as drift.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	rs := append([]providers.Resource(nil), req.Resources...)
	sort.SliceStable(rs, func(i, j int) bool { return readRank(rs[i]) < readRank(rs[j]) })
	host := ""
	for _, r := range rs {
		got, err := p.readOne(ctx, req.Deployment, r, host)
		if err != nil {
			return nil, err
		}
		journal, pending := req.Journals[r.Address()]
		if got == nil {
			if r.ID != "" && !pending {
				resp.Drift = append(resp.Drift, providers.Drift{Address: r.Address(), Message: "deleted outside redisctl"})
			}
			continue
		}
		if got.Type == typeCluster {
			host = got.Private["host"]
		}
		if busy(got.Private[privState]) {
			for _, k := range resumeOrder(got.Private[privState]) {
				if tok := journal[k]; tok != "" {
					got.Private[privResume], got.Private[privResumeFor] = tok, k
					break
				}
				if r.Private[privResumeFor] == k {
					got.Private[privResume], got.Private[privResumeFor] = r.Private[privResume], k
					break
				}
			}
		}
		if r.ID != "" && !pending {
			resp.Drift = append(resp.Drift, drift(r, *got)...)
		}
		resp.Resources = append(resp.Resources, *got)
	}
	return resp, nil
}

// resumeOrder is which journaled operation a resource in this state most
// likely waits on: a replacement journals a delete and then a create.
func resumeOrder(state string) []string {
	switch state {
	case "Deleting":
		return []string{jDelete, jCreate, jUpdate}
	case "Creating":
		return []string{jCreate, jUpdate, jDelete}
	}
	return []string{jUpdate, jCreate, jDelete}
}

// readRank reads clusters before databases (a database needs its cluster's host).
func readRank(r providers.Resource) int {
	if r.Type == typeDatabase {
		return 1
	}
	return 0
}

func (p *Provider) readOne(ctx context.Context, d providers.Deployment, r providers.Resource, host string) (*providers.Resource, error) {
	t, err := p.targetOf(d, r)
	if err != nil {
		return nil, err
	}
	switch r.Type {
	case typeCluster:
		got, _, err := t.getCluster(ctx, r, d.Spec)
		if got != nil {
			delete(got.Private, "resource_state")
		}
		return got, err
	case typeDatabase:
		if host == "" {
			cl, _, err := t.getCluster(ctx, providers.Resource{}, d.Spec)
			if err != nil {
				return nil, err
			}
			if cl == nil {
				return nil, nil
			}
			host = cl.Private["host"]
		}
		return t.getDatabase(ctx, host, d.Spec)
	case typeCache:
		got, _, err := t.getCache(ctx, r, d.Spec)
		return got, err
	}
	return nil, fmt.Errorf("azure: unknown resource type %q in state", r.Type)
}

// drift lists attributes that differ between state and Azure.
func drift(was, now providers.Resource) []providers.Drift {
	var out []providers.Drift
	names := make([]string, 0, len(was.Attrs))
	for k := range was.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if v, ok := now.Attrs[k]; ok && v != was.Attrs[k] {
			out = append(out, providers.Drift{Address: was.Address(), Message: fmt.Sprintf("%s changed outside redisctl: %q → %q", k, was.Attrs[k], v)})
		}
	}
	return out
}

// Status reports the database (or classic cache) as one node: Azure hides
// the nodes behind one endpoint.
func (p *Provider) Status(ctx context.Context, req providers.StatusRequest) (*providers.StatusResponse, error) {
	resp := &providers.StatusResponse{}
	host := ""
	rs := append([]providers.Resource(nil), req.Resources...)
	sort.SliceStable(rs, func(i, j int) bool { return readRank(rs[i]) < readRank(rs[j]) })
	for _, r := range rs {
		got, err := p.readOne(ctx, req.Deployment, r, host)
		if err != nil {
			return nil, err
		}
		if got != nil && got.Type == typeCluster {
			host = got.Private["host"]
			continue
		}
		if r.Type == typeCluster {
			continue
		}
		ns := providers.NodeStatus{Name: r.Address(), Role: "primary", UsedMemory: -1, MaxMemory: -1, Keys: -1}
		if got == nil {
			ns.Detail = "not found in Azure"
			resp.Nodes = append(resp.Nodes, ns)
			continue
		}
		if len(got.Endpoints) > 0 {
			ep := got.Endpoints[0]
			ns.Address, ns.Role = net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)), ep.Role
		}
		ns.Up = got.Private[privState] == "Succeeded"
		ns.Detail = "provisioningState " + got.Private[privState]
		if got.Type == typeCache {
			if b, err := classicMemory(*got); err == nil {
				ns.MaxMemory = b
			}
			ns.Detail += ", " + got.Attrs["sku"]
		}
		resp.Nodes = append(resp.Nodes, ns)
	}
	return resp, nil
}

// ConnectionPassword reads the primary access key Azure generated, for
// `redisctl output --show-secrets`. It is never stored.
func (p *Provider) ConnectionPassword(ctx context.Context, req providers.StatusRequest) (string, error) {
	for _, r := range req.Resources {
		switch r.Type {
		case typeDatabase:
			if r.Attrs["access_keys_auth"] == "Disabled" {
				return "", fmt.Errorf("access keys are disabled (provider.accessKeys: Disabled): clients authenticate with Microsoft Entra ID")
			}
			t, err := p.targetOf(req.Deployment, r)
			if err != nil {
				return "", err
			}
			keys, err := t.cl.databases.ListKeys(ctx, t.rg, t.name, nameDatabase, nil)
			if err != nil {
				return "", explain("list the access keys of "+t.name, err)
			}
			return deref(keys.PrimaryKey), nil
		case typeCache:
			t, err := p.targetOf(req.Deployment, r)
			if err != nil {
				return "", err
			}
			keys, err := t.cl.caches.ListKeys(ctx, t.rg, t.name, nil)
			if err != nil {
				return "", explain("list the access keys of "+t.name, err)
			}
			return deref(keys.PrimaryKey), nil
		}
	}
	return "", fmt.Errorf("no Azure Managed Redis database or classic cache in state")
}
