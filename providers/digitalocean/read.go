package digitalocean

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Private keys kept in state and journal keys recorded during apply.
const (
	privName     = "name"       // the cluster's name in the account
	privProject  = "project"    // project UUID given at creation
	journalID    = "cluster_id" // the cluster a create made (or adopted)
	journalDelID = "deleting"   // the cluster a delete or replace removes
	journalOp    = "operation"  // the resize/migrate/upgrade under way
)

// deploymentTag marks a cluster as belonging to a deployment.
func deploymentTag(deployment string) string { return "redisctl-deployment:" + deployment }

// Read refreshes the cluster: by the ID in state, by the one an interrupted
// apply journaled, or — for a creation that never recorded an ID — by its
// name, accepting only a cluster tagged for this deployment.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	for _, r := range req.Resources {
		if r.Type != typeCluster {
			return nil, fmt.Errorf("%s: not a resource the digitalocean provider manages", r.Address())
		}
		journal, pending := req.Journals[r.Address()]
		live, drift, err := p.readCluster(ctx, req.Deployment, r, journal, pending)
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

// readCluster refreshes one cluster. pending says an apply of this resource
// was interrupted: differences are then redisctl's own unfinished work, not
// drift.
func (p *Provider) readCluster(ctx context.Context, d providers.Deployment, r providers.Resource, journal map[string]string, pending bool) (*providers.Resource, []providers.Drift, error) {
	api, err := p.api()
	if err != nil {
		return nil, nil, err
	}
	addr := r.Address()
	id := r.ID
	if j := journal[journalID]; j != "" {
		id = j
	}
	var db *godo.Database
	if id != "" {
		db, err = p.get(ctx, api, id)
		if err != nil {
			return nil, nil, err
		}
	}
	if db == nil {
		name := r.Private[privName]
		if name == "" {
			name = clusterName(d.Spec, settings(d.Spec))
		}
		if db, err = p.findByName(ctx, api, name, d.Spec.Name); err != nil {
			return nil, nil, err
		}
	}
	if db == nil {
		if r.ID == "" || (pending && journal[journalDelID] == r.ID) {
			return nil, nil, nil // never created, or deleted by the interrupted apply
		}
		return nil, []providers.Drift{{Address: addr, Message: fmt.Sprintf("cluster %s no longer exists (deleted outside redisctl); it will be created again", r.ID)}}, nil
	}
	live, err := p.observe(ctx, api, d, db, r.Private)
	if err != nil {
		return nil, nil, err
	}
	var drift []providers.Drift
	if r.ID != "" && r.ID != db.ID && journal[journalID] == "" {
		drift = append(drift, providers.Drift{Address: addr, Message: fmt.Sprintf("cluster %s is gone; adopting cluster %s, which has this deployment's name and tag", r.ID, db.ID)})
	}
	if r.ID != "" && r.ID == db.ID && !pending {
		drift = append(drift, attrDrift(addr, r.Attrs, live.Attrs)...)
	}
	return live, drift, nil
}

// attrDrift lists attributes whose live value differs from state.
func attrDrift(addr string, was, now map[string]string) []providers.Drift {
	var out []providers.Drift
	for _, k := range sortedKeys(now) {
		old, ok := was[k]
		if !ok || old == now[k] || k == attrEndpoint {
			continue
		}
		msg := fmt.Sprintf("%s is %q, state says %q (changed outside redisctl)", k, now[k], old)
		switch k {
		case attrPassword:
			msg = "the password was reset outside redisctl"
		case attrStatus:
			msg = fmt.Sprintf("the cluster is %s (an operation started outside redisctl)", now[k])
		}
		out = append(out, providers.Drift{Address: addr, Message: msg})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// get fetches a cluster; nil when it does not exist.
func (p *Provider) get(ctx context.Context, api *godo.Client, id string) (*godo.Database, error) {
	db, _, err := api.Databases.Get(ctx, id)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, apiError("get cluster "+id, err)
	}
	return db, nil
}

// findByName looks a cluster up by name. A cluster with the name that is not
// tagged for this deployment is someone else's: refusing it keeps redisctl
// from adopting (and later deleting) a cluster it did not make.
func (p *Provider) findByName(ctx context.Context, api *godo.Client, name, deployment string) (*godo.Database, error) {
	const perPage = 200
	for page := 1; ; page++ {
		dbs, _, err := api.Databases.List(ctx, &godo.ListOptions{Page: page, PerPage: perPage})
		if err != nil {
			return nil, apiError("list database clusters", err)
		}
		for i := range dbs {
			if dbs[i].Name != name {
				continue
			}
			if !slices.Contains(dbs[i].Tags, deploymentTag(deployment)) {
				return nil, fmt.Errorf("a database cluster named %q (%s) exists but is not tagged %s: adopt it with `redisctl import`, or set provider.clusterName to another name", name, dbs[i].ID, deploymentTag(deployment))
			}
			return &dbs[i], nil
		}
		if len(dbs) < perPage {
			return nil, nil
		}
	}
}

// observe reads everything redisctl manages about a cluster into a
// resource, in the canonical forms desired() uses.
func (p *Provider) observe(ctx context.Context, api *godo.Client, d providers.Deployment, db *godo.Database, private map[string]string) (*providers.Resource, error) {
	s := settings(d.Spec)
	r := &providers.Resource{
		Type: typeCluster, Name: clusterResource, ID: db.ID,
		Attrs: map[string]string{
			attrEngine:   db.EngineSlug,
			attrVersion:  majorVersion(db.VersionSlug),
			attrSize:     db.SizeSlug,
			attrNumNodes: fmt.Sprint(db.NumNodes),
			attrRegion:   db.RegionSlug,
			attrVPC:      db.PrivateNetworkUUID,
			attrTags:     joinSorted(db.Tags),
			attrStatus:   db.Status,
			attrEndpoint: endpointKind(s),
		},
		Private: map[string]string{privName: db.Name},
	}
	if v := private[privProject]; v != "" {
		r.Private[privProject] = v
	}
	if db.Connection != nil {
		r.Attrs[attrPassword] = d.Fingerprint(db.Connection.Password)
	}
	if w := db.MaintenanceWindow; w != nil && w.Day != "" {
		r.Attrs[attrMaintenance] = maintenanceString(w.Day, w.Hour)
	}
	r.Endpoints = endpoints(db, endpointKind(s))
	if db.Status == statusCreating {
		// Settings are read back once the cluster runs; until then the
		// plan shows them as still to be set.
		return r, nil
	}
	policy, _, err := api.Databases.GetEvictionPolicy(ctx, db.ID)
	if err != nil {
		return nil, apiError("get eviction policy", err)
	}
	r.Attrs[attrEviction] = strings.ReplaceAll(policy, "_", "-")
	cfg, _, err := api.Databases.GetValkeyConfig(ctx, db.ID)
	if err != nil {
		return nil, apiError("get valkey config", err)
	}
	if cfg.ValkeyPersistence != nil {
		r.Attrs[attrPersistence] = persistenceFromAPI(*cfg.ValkeyPersistence)
	}
	fw, _, err := api.Databases.GetFirewallRules(ctx, db.ID)
	if err != nil {
		return nil, apiError("get trusted sources", err)
	}
	var srcs []string
	for _, rule := range fw {
		srcs = append(srcs, source(rule.Type, rule.Value))
	}
	r.Attrs[attrSources] = joinSorted(srcs)
	return r, nil
}

const (
	statusOnline   = "online"
	statusCreating = "creating"
)

// endpoints lists where clients connect: the primary and, with a standby,
// the standby's read endpoint.
func endpoints(db *godo.Database, kind string) []providers.Endpoint {
	primary, standby := db.Connection, db.StandbyConnection
	if kind == "private" {
		primary, standby = db.PrivateConnection, db.StandbyPrivateConnection
	}
	var out []providers.Endpoint
	if primary != nil && primary.Host != "" {
		out = append(out, providers.Endpoint{Host: primary.Host, Port: primary.Port, Role: string(topology.RolePrimary)})
	}
	if standby != nil && standby.Host != "" {
		out = append(out, providers.Endpoint{Host: standby.Host, Port: standby.Port, Role: "reader"})
	}
	return out
}

func endpointKind(s Settings) string {
	if s.Endpoint == "private" {
		return "private"
	}
	return "public"
}

// maintenanceString is the canonical "day HH:MM" (the API answers 03:00:00).
func maintenanceString(day, hour string) string {
	if len(hour) > 5 {
		hour = hour[:5]
	}
	return strings.ToLower(day) + " " + hour
}

// persistenceFromAPI maps valkey_persistence onto the spec's modes.
func persistenceFromAPI(v string) string {
	if v == "off" {
		return string(topology.PersistenceNone)
	}
	return v
}

func persistenceToAPI(mode string) string {
	if mode == string(topology.PersistenceNone) {
		return "off"
	}
	return mode
}

// source is a trusted source's canonical "type:value"; an address without a
// prefix length and a /32 are the same source.
func source(typ, value string) string {
	if typ == "ip_addr" {
		value = strings.TrimSuffix(value, "/32")
	}
	return typ + ":" + value
}

func joinSorted(items []string) string {
	s := slices.Clone(items)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Status reports the cluster's nodes as DigitalOcean sees them.
func (p *Provider) Status(ctx context.Context, req providers.StatusRequest) (*providers.StatusResponse, error) {
	api, err := p.api()
	if err != nil {
		return nil, err
	}
	resp := &providers.StatusResponse{}
	for _, r := range req.Resources {
		db, err := p.get(ctx, api, r.ID)
		if err != nil {
			return nil, err
		}
		if db == nil {
			resp.Nodes = append(resp.Nodes, providers.NodeStatus{Name: r.Private[privName], Role: "primary", UsedMemory: -1, MaxMemory: -1, Keys: -1, Detail: "cluster not found (deleted outside redisctl?)"})
			continue
		}
		eps := endpoints(db, endpointKind(settings(req.Spec)))
		for i := 0; i < db.NumNodes; i++ {
			ns := providers.NodeStatus{Name: db.Name, Role: "primary", Up: db.Status == statusOnline,
				UsedMemory: -1, MaxMemory: sizeRAM(db.SizeSlug), Keys: -1, Detail: "status " + db.Status + " (" + db.SizeSlug + ")"}
			if ns.MaxMemory == 0 {
				ns.MaxMemory = -1
			}
			if i > 0 {
				ns.Name, ns.Role = db.Name+"-standby", "standby"
			}
			if i < len(eps) {
				ns.Address = fmt.Sprintf("%s:%d", eps[i].Host, eps[i].Port)
			}
			resp.Nodes = append(resp.Nodes, ns)
		}
	}
	return resp, nil
}

// ConnectionPassword returns the password DigitalOcean generated for the
// deployment's cluster, read from the API (never from state). It is what
// `redisctl output --show-secrets` needs for this provider.
func (p *Provider) ConnectionPassword(ctx context.Context, req providers.StatusRequest) (string, error) {
	api, err := p.api()
	if err != nil {
		return "", err
	}
	for _, r := range req.Resources {
		db, err := p.get(ctx, api, r.ID)
		if err != nil {
			return "", err
		}
		if db != nil && db.Connection != nil {
			return db.Connection.Password, nil
		}
	}
	return "", fmt.Errorf("the deployment's cluster was not found")
}

// HasPassword is always true: every DigitalOcean database has a password.
func (p *Provider) HasPassword([]providers.Resource) bool { return true }
