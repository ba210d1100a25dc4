package local

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Read refreshes each node from its process: a node whose process is gone is
// dropped (plan starts it again, keeping its data directory), and settings
// changed outside redisctl show up as drift.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	var clusters []providers.Resource
	for _, r := range req.Resources {
		if r.Type == typeCluster {
			clusters = append(clusters, r)
			continue
		}
		live, drift, err := p.readOne(ctx, req.Deployment, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address(), err)
		}
		resp.Drift = append(resp.Drift, drift...)
		if live != nil {
			resp.Resources = append(resp.Resources, *live)
		}
	}
	for _, r := range clusters {
		live, drift := readCluster(ctx, r, resp.Resources)
		resp.Drift = append(resp.Drift, drift...)
		if live != nil {
			resp.Resources = append(resp.Resources, *live)
		}
	}
	return resp, nil
}

func (p *Provider) readOne(ctx context.Context, d providers.Deployment, r providers.Resource) (*providers.Resource, []providers.Drift, error) {
	addr := r.Address()
	nodeDir := r.Private[privDir]
	if nodeDir == "" {
		return nil, []providers.Drift{{Address: addr, Message: "state has no directory for this node; it will be created again"}}, nil
	}
	pid := runningPID(nodeDir, r.Private[privPID])
	if pid == 0 {
		if r.ID == "" {
			return nil, nil, nil // its creation never got as far as starting it
		}
		return nil, []providers.Drift{{Address: addr, Message: "not running (stopped outside redisctl); it will be started again"}}, nil
	}
	port, _ := strconv.Atoi(r.Attrs["port"])
	host := connectHost(r.Attrs["bind"])
	live := r.Clone()
	live.ID = nodeDir
	live.Private[privPID] = strconv.Itoa(pid)

	c := dial(host, port, nodePassword(nodeDir))
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		// Running but not answering: report it; the plan keeps it as is.
		return &live, []providers.Drift{{Address: addr, Message: fmt.Sprintf("process %d runs but does not answer on port %d: %v", pid, port, err)}}, nil
	}
	if r.Type != typeNode {
		return &live, nil, nil
	}
	var drift []providers.Drift
	observe := func(attr, value string) {
		if old, ok := r.Attrs[attr]; ok && old != value && r.ID != "" {
			msg := fmt.Sprintf("%s is %q, state says %q (changed outside redisctl)", attr, value, old)
			if attr == "password" {
				msg = "password was changed outside redisctl"
			}
			drift = append(drift, providers.Drift{Address: addr, Message: msg})
		}
		live.Attrs[attr] = value
	}
	cfg := map[string]string{}
	for _, name := range []string{"maxmemory", "maxmemory-policy", "requirepass", "appendonly", "appendfsync", "save"} {
		v, err := configGet(ctx, c, name)
		if err != nil {
			return nil, nil, err
		}
		cfg[name] = v
	}
	mem, err := strconv.ParseInt(cfg["maxmemory"], 10, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("maxmemory %q: %w", cfg["maxmemory"], err)
	}
	observe("maxmemory", canonicalMemory(mem))
	observe("maxmemory_policy", cfg["maxmemory-policy"])
	observe("password", d.Fingerprint(cfg["requirepass"]))
	persistence := string(topology.PersistenceNone)
	switch {
	case cfg["appendonly"] == "yes":
		persistence = string(topology.PersistenceAOF)
	case strings.TrimSpace(cfg["save"]) != "":
		persistence = string(topology.PersistenceRDB)
	}
	observe("persistence", persistence)
	if persistence == string(topology.PersistenceAOF) {
		observe("appendfsync", cfg["appendfsync"])
	} else {
		delete(live.Attrs, "appendfsync")
	}
	return &live, drift, nil
}

// Status reports each node's health from INFO.
func (p *Provider) Status(ctx context.Context, req providers.StatusRequest) (*providers.StatusResponse, error) {
	resp := &providers.StatusResponse{}
	for _, r := range req.Resources {
		if r.Type == typeCluster {
			continue
		}
		port, _ := strconv.Atoi(r.Attrs["port"])
		host := connectHost(r.Attrs["bind"])
		ns := providers.NodeStatus{Name: r.Name, Address: fmt.Sprintf("%s:%d", host, port), Role: r.Attrs["role"], UsedMemory: -1, MaxMemory: -1, Keys: -1}
		if r.Type == typeSentinel {
			ns.Role = "sentinel"
		}
		nodeDir := r.Private[privDir]
		if runningPID(nodeDir, r.Private[privPID]) == 0 {
			ns.Detail = "process not running"
			resp.Nodes = append(resp.Nodes, ns)
			continue
		}
		c := dial(host, port, nodePassword(nodeDir))
		info, err := c.Info(ctx).Result()
		c.Close()
		if err != nil {
			ns.Detail = err.Error()
			resp.Nodes = append(resp.Nodes, ns)
			continue
		}
		f := infoFields(info)
		ns.Up = true
		if role := f["role"]; role != "" && r.Type == typeNode {
			if role == "master" {
				role = "primary"
			} else if role == "slave" {
				role = "replica"
			}
			ns.Role = role
		}
		if v, err := strconv.ParseInt(f["used_memory"], 10, 64); err == nil {
			ns.UsedMemory = v
		}
		if v, err := strconv.ParseInt(f["maxmemory"], 10, 64); err == nil {
			ns.MaxMemory = v
		}
		if r.Type == typeNode {
			ns.Keys = keyCount(f)
		}
		resp.Nodes = append(resp.Nodes, ns)
	}
	return resp, nil
}
