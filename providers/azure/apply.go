package azure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redisenterprise/armredisenterprise"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Apply performs one change. Every long-running operation's resume token is
// journaled before waiting, so a re-run after an interruption resumes the
// wait instead of starting the operation again.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	c := req.Change
	r := c.After
	if r == nil {
		r = c.Before
	}
	var out *providers.Resource
	var err error
	switch r.Type {
	case typeCluster:
		out, err = p.applyCluster(ctx, req)
	case typeDatabase:
		out, err = p.applyDatabase(ctx, req)
	case typeCache:
		out, err = p.applyCache(ctx, req)
	default:
		panic(fmt.Sprintf("azure: impossible resource type %q", r.Type))
	}
	if err != nil {
		return nil, err
	}
	return &providers.ApplyResponse{Resource: out}, nil
}

// resumeToken is the token of an operation to resume: one this change
// journaled, or one Read found still running.
func resumeToken(req providers.ApplyRequest, key string) string {
	if tok := req.Journal[key]; tok != "" {
		return tok
	}
	if b := req.Change.Before; b != nil && b.Private[privResumeFor] == key {
		return b.Private[privResume]
	}
	return ""
}

func (p *Provider) applyCluster(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	c := req.Change
	switch c.Action {
	case providers.ActionCreate:
		return p.createCluster(ctx, req, *c.After)
	case providers.ActionUpdate:
		return p.updateCluster(ctx, req)
	case providers.ActionReplace:
		if err := p.exportDatabase(ctx, req, *c.Before); err != nil {
			return nil, err
		}
		if err := p.deleteCluster(ctx, req, *c.Before); err != nil {
			return nil, err
		}
		return p.createCluster(ctx, req, *c.After)
	case providers.ActionDelete:
		return nil, p.deleteCluster(ctx, req, *c.Before)
	}
	panic(fmt.Sprintf("azure: impossible action %q", c.Action))
}

func (p *Provider) createCluster(ctx context.Context, req providers.ApplyRequest, want providers.Resource) (*providers.Resource, error) {
	want.ID = "" // a replacement's new cluster is found by name
	t, err := p.targetOf(req.Deployment, want)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "create cluster " + t.name}
	if tok := resumeToken(req, jCreate); tok != "" {
		pl, err := t.cl.clusters.BeginCreate(ctx, t.rg, t.name, armredisenterprise.Cluster{}, &armredisenterprise.ClientBeginCreateOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return nil, err
		}
	} else {
		existing, _, err := t.getCluster(ctx, want, req.Spec)
		if err != nil {
			return nil, err
		}
		if existing != nil {
			req.Progress(o.what + ": it exists already (an interrupted run created it); adopting it")
		} else {
			params := armredisenterprise.Cluster{
				Location:   ptr(want.Attrs["location"]),
				SKU:        &armredisenterprise.SKU{Name: ptr(armredisenterprise.SKUName(want.Attrs["sku"]))},
				Tags:       tagPtrs(desiredTags(req.Spec)),
				Properties: &armredisenterprise.ClusterProperties{MinimumTLSVersion: ptr(armredisenterprise.TLSVersion(want.Attrs["minimum_tls_version"]))},
			}
			for _, z := range strings.Split(want.Attrs["zones"], ",") {
				if z != "" {
					params.Zones = append(params.Zones, ptr(z))
				}
			}
			extra := withExtraProps(ctx, map[string]any{
				"highAvailability":    want.Attrs["high_availability"],
				"publicNetworkAccess": want.Attrs["public_network_access"],
			})
			pl, err := t.cl.clusters.BeginCreate(extra, t.rg, t.name, params, nil)
			if err := startAndWait(ctx, o, jCreate, pl, err); err != nil {
				return nil, err
			}
		}
	}
	return t.settledCluster(ctx, o, want, req.Spec)
}

// settledCluster waits until the cluster is Succeeded and Running (the
// operation can report success a little before the cluster serves) and
// returns it.
func (t target) settledCluster(ctx context.Context, o op, prev providers.Resource, spec *topology.Spec) (*providers.Resource, error) {
	var got *providers.Resource
	err := settle(ctx, o, func() (string, error) {
		r, _, err := t.getCluster(ctx, prev, spec)
		if err != nil {
			return "", err
		}
		if r == nil {
			return "", fmt.Errorf("%s: the cluster is gone", o.what)
		}
		got = r
		st, rs := r.Private[privState], r.Private["resource_state"]
		switch {
		case st != "Succeeded" || rs == "" || rs == "Running":
			return st, nil
		case strings.HasSuffix(rs, "Failed") || rs == "Disabled":
			return "Failed", nil
		}
		return rs, nil
	})
	if err != nil {
		return nil, err
	}
	delete(got.Private, "resource_state")
	got.Private[privTagKeys] = tagKeys(desiredTags(spec))
	return got, nil
}

func (p *Provider) updateCluster(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	before, want := *req.Change.Before, *req.Change.After
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "update cluster " + t.name}
	if err := p.resumeClusterOp(ctx, req, t, o); err != nil {
		return nil, err
	}
	cur, err := t.settledCluster(ctx, o, before, req.Spec)
	if err != nil {
		return nil, err
	}
	_, realTags, err := t.getCluster(ctx, before, req.Spec)
	if err != nil {
		return nil, err
	}
	var upd armredisenterprise.ClusterUpdate
	extra := map[string]any{}
	changed := false
	for k, v := range want.Attrs {
		if cur.Attrs[k] == v {
			continue
		}
		changed = true
		switch k {
		case "sku":
			upd.SKU = &armredisenterprise.SKU{Name: ptr(armredisenterprise.SKUName(v))}
		case "minimum_tls_version":
			upd.Properties = &armredisenterprise.ClusterProperties{MinimumTLSVersion: ptr(armredisenterprise.TLSVersion(v))}
		case "public_network_access":
			extra["publicNetworkAccess"] = v
		case "tags":
			upd.Tags = tagPtrs(mergeTags(realTags, before.Private[privTagKeys], v))
		default:
			return nil, fmt.Errorf("%s: %s changed from %q to %q, which needs a replacement: plan again", o.what, k, cur.Attrs[k], v)
		}
	}
	if !changed {
		return cur, nil
	}
	if len(extra) > 0 && upd.Properties == nil {
		upd.Properties = &armredisenterprise.ClusterProperties{}
	}
	pl, err := t.cl.clusters.BeginUpdate(withExtraProps(ctx, extra), t.rg, t.name, upd, nil)
	if err := startAndWait(ctx, o, jUpdate, pl, err); err != nil {
		return nil, err
	}
	return t.settledCluster(ctx, o, want, req.Spec)
}

// resumeClusterOp finishes waiting for an operation an interrupted run
// started on the cluster.
func (p *Provider) resumeClusterOp(ctx context.Context, req providers.ApplyRequest, t target, o op) error {
	if tok := resumeToken(req, jCreate); tok != "" {
		pl, err := t.cl.clusters.BeginCreate(ctx, t.rg, t.name, armredisenterprise.Cluster{}, &armredisenterprise.ClientBeginCreateOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return err
		}
	}
	if tok := resumeToken(req, jUpdate); tok != "" {
		pl, err := t.cl.clusters.BeginUpdate(ctx, t.rg, t.name, armredisenterprise.ClusterUpdate{}, &armredisenterprise.ClientBeginUpdateOptions{ResumeToken: tok})
		return resumed(ctx, o, pl, err)
	}
	return nil
}

func (p *Provider) deleteCluster(ctx context.Context, req providers.ApplyRequest, before providers.Resource) error {
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return err
	}
	o := op{req: req, what: "delete cluster " + t.name}
	if tok := resumeToken(req, jDelete); tok != "" {
		pl, err := t.cl.clusters.BeginDelete(ctx, t.rg, t.name, &armredisenterprise.ClientBeginDeleteOptions{ResumeToken: tok})
		return resumed(ctx, o, pl, err)
	}
	pl, err := t.cl.clusters.BeginDelete(ctx, t.rg, t.name, nil)
	if notFound(err) {
		return nil
	}
	return startAndWait(ctx, o, jDelete, pl, err)
}

// exportDatabase exports the database before it is deleted, when
// provider.finalExport is set. A completed export is journaled so a resumed
// delete does not export again.
func (p *Provider) exportDatabase(ctx context.Context, req providers.ApplyRequest, before providers.Resource) error {
	s := settings(req.Spec)
	if s.FinalExport.IsZero() || req.Journal[jExportDone] != "" || before.Private[privResumeFor] == jDelete {
		return nil // no export asked, done already, or the delete already runs
	}
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return err
	}
	o := op{req: req, what: "export database of " + t.name + " (final export)"}
	if tok := resumeToken(req, jExport); tok != "" {
		pl, err := t.cl.databases.BeginExport(ctx, t.rg, t.name, nameDatabase, armredisenterprise.ExportClusterParameters{}, &armredisenterprise.DatabasesClientBeginExportOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return err
		}
	} else {
		db, err := t.getDatabase(ctx, "", req.Spec)
		if err != nil {
			return err
		}
		if db == nil || db.Private[privState] == "Deleting" || db.Private[privState] == "Failed" {
			req.Progress(o.what + ": no database to export")
			return nil
		}
		sas, err := resolveSecret(s.FinalExport, req.Spec.Source, "provider.finalExport")
		if err != nil {
			return err
		}
		pl, err := t.cl.databases.BeginExport(ctx, t.rg, t.name, nameDatabase, armredisenterprise.ExportClusterParameters{SasURI: &sas}, nil)
		if err := startAndWait(ctx, o, jExport, pl, err); err != nil {
			return err
		}
	}
	return req.Record(jExportDone, time.Now().UTC().Format(time.RFC3339))
}
