package azure

import (
	"context"
	"fmt"
	"strconv"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redisenterprise/armredisenterprise"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

func (p *Provider) applyDatabase(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	c := req.Change
	switch c.Action {
	case providers.ActionCreate:
		return p.createDatabase(ctx, req, *c.After)
	case providers.ActionUpdate:
		return p.updateDatabase(ctx, req)
	case providers.ActionReplace:
		if err := p.exportDatabase(ctx, req, *c.Before); err != nil {
			return nil, err
		}
		if err := p.deleteDatabase(ctx, req, *c.Before); err != nil {
			return nil, err
		}
		return p.createDatabase(ctx, req, *c.After)
	case providers.ActionDelete:
		if err := p.exportDatabase(ctx, req, *c.Before); err != nil {
			return nil, err
		}
		return nil, p.deleteDatabase(ctx, req, *c.Before)
	}
	panic(fmt.Sprintf("azure: impossible action %q", c.Action))
}

// databaseParams is the database's properties for an attribute set; the
// returned map holds what the SDK's models lack.
func databaseParams(attrs map[string]string, only map[string]bool) (*armredisenterprise.DatabaseProperties, map[string]any) {
	props := &armredisenterprise.DatabaseProperties{}
	extra := map[string]any{}
	for k, v := range attrs {
		if only != nil && !only[k] {
			continue
		}
		switch k {
		case "clustering_policy":
			props.ClusteringPolicy = ptr(armredisenterprise.ClusteringPolicy(v))
		case "client_protocol":
			props.ClientProtocol = ptr(armredisenterprise.Protocol(v))
		case "eviction_policy":
			props.EvictionPolicy = ptr(evictionNames[topology.EvictionPolicy(v)])
		case "persistence":
			props.Persistence = persistenceParam(v)
		case "port":
			n, _ := strconv.Atoi(v)
			props.Port = ptr(int32(n))
		case "access_keys_auth":
			extra["accessKeysAuthentication"] = v
		}
	}
	return props, extra
}

// clusterHost waits for the cluster to be ready and returns its host name.
func (t target) clusterHost(ctx context.Context, o op, spec *topology.Spec) (string, error) {
	cl, err := t.settledCluster(ctx, o, providers.Resource{}, spec)
	if err != nil {
		return "", err
	}
	return cl.Private["host"], nil
}

func (p *Provider) createDatabase(ctx context.Context, req providers.ApplyRequest, want providers.Resource) (*providers.Resource, error) {
	want.ID = ""
	t, err := p.targetOf(req.Deployment, want)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "create database of " + t.name}
	if tok := resumeToken(req, jCreate); tok != "" {
		pl, err := t.cl.databases.BeginCreate(ctx, t.rg, t.name, nameDatabase, armredisenterprise.Database{}, &armredisenterprise.DatabasesClientBeginCreateOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return nil, err
		}
		return t.settledDatabase(ctx, o, req.Spec)
	}
	host, err := t.clusterHost(ctx, o, req.Spec)
	if err != nil {
		return nil, err
	}
	existing, err := t.getDatabase(ctx, host, req.Spec)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		req.Progress(o.what + ": it exists already (an interrupted run created it); adopting it")
		return t.settledDatabase(ctx, o, req.Spec)
	}
	props, extra := databaseParams(want.Attrs, nil)
	pl, err := t.cl.databases.BeginCreate(withExtraProps(ctx, extra), t.rg, t.name, nameDatabase, armredisenterprise.Database{Properties: props}, nil)
	if err := startAndWait(ctx, o, jCreate, pl, err); err != nil {
		return nil, err
	}
	return t.settledDatabase(ctx, o, req.Spec)
}

// settledDatabase waits for the database to leave transitional states and
// returns it with its endpoint.
func (t target) settledDatabase(ctx context.Context, o op, spec *topology.Spec) (*providers.Resource, error) {
	host, err := t.clusterHost(ctx, o, spec)
	if err != nil {
		return nil, err
	}
	var got *providers.Resource
	err = settle(ctx, o, func() (string, error) {
		r, err := t.getDatabase(ctx, host, spec)
		if err != nil {
			return "", err
		}
		if r == nil {
			return "", fmt.Errorf("%s: the database is gone", o.what)
		}
		got = r
		return r.Private[privState], nil
	})
	return got, err
}

func (p *Provider) updateDatabase(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	before, want := *req.Change.Before, *req.Change.After
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "update database of " + t.name}
	if err := t.resumeDatabaseOp(ctx, req, o); err != nil {
		return nil, err
	}
	cur, err := t.settledDatabase(ctx, o, req.Spec)
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for k, v := range want.Attrs {
		if cur.Attrs[k] == v {
			continue
		}
		if ruleSet.Rule(typeDatabase, k).Mode == providers.Replace {
			return nil, fmt.Errorf("%s: %s changed from %q to %q, which needs a replacement: plan again", o.what, k, cur.Attrs[k], v)
		}
		only[k] = true
	}
	if len(only) == 0 {
		return cur, nil
	}
	props, extra := databaseParams(want.Attrs, only)
	pl, err := t.cl.databases.BeginUpdate(withExtraProps(ctx, extra), t.rg, t.name, nameDatabase, armredisenterprise.DatabaseUpdate{Properties: props}, nil)
	if err := startAndWait(ctx, o, jUpdate, pl, err); err != nil {
		return nil, err
	}
	return t.settledDatabase(ctx, o, req.Spec)
}

func (p *Provider) deleteDatabase(ctx context.Context, req providers.ApplyRequest, before providers.Resource) error {
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return err
	}
	o := op{req: req, what: "delete database of " + t.name}
	if tok := resumeToken(req, jDelete); tok != "" {
		pl, err := t.cl.databases.BeginDelete(ctx, t.rg, t.name, nameDatabase, &armredisenterprise.DatabasesClientBeginDeleteOptions{ResumeToken: tok})
		return resumed(ctx, o, pl, err)
	}
	pl, err := t.cl.databases.BeginDelete(ctx, t.rg, t.name, nameDatabase, nil)
	if notFound(err) {
		return nil
	}
	return startAndWait(ctx, o, jDelete, pl, err)
}

// resumeDatabaseOp finishes waiting for a create or update an interrupted
// run started on the database.
func (t target) resumeDatabaseOp(ctx context.Context, req providers.ApplyRequest, o op) error {
	if tok := resumeToken(req, jCreate); tok != "" {
		pl, err := t.cl.databases.BeginCreate(ctx, t.rg, t.name, nameDatabase, armredisenterprise.Database{}, &armredisenterprise.DatabasesClientBeginCreateOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return err
		}
	}
	if tok := resumeToken(req, jUpdate); tok != "" {
		pl, err := t.cl.databases.BeginUpdate(ctx, t.rg, t.name, nameDatabase, armredisenterprise.DatabaseUpdate{}, &armredisenterprise.DatabasesClientBeginUpdateOptions{ResumeToken: tok})
		return resumed(ctx, o, pl, err)
	}
	return nil
}
