package digitalocean

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/redisctl/redisctl/providers"
)

// Apply performs one change. Every step compares the live cluster with the
// desired one before acting, and the cluster a create makes is journaled
// before waiting on it, so running apply again after an interruption
// resumes instead of repeating work.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	api, err := p.api()
	if err != nil {
		return nil, err
	}
	c := req.Change
	switch c.Action {
	case providers.ActionCreate:
		r, err := p.create(ctx, api, req, *c.After)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionUpdate:
		r, err := p.converge(ctx, api, req, c.Before.ID, *c.After)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionReplace:
		if err := p.destroy(ctx, api, req, c.Before.ID); err != nil {
			return nil, err
		}
		r, err := p.create(ctx, api, req, *c.After)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionDelete:
		return &providers.ApplyResponse{}, p.destroy(ctx, api, req, c.Before.ID)
	}
	panic(fmt.Sprintf("digitalocean: impossible action %q", c.Action))
}

// create makes the cluster — or finds the one an interrupted attempt made —
// waits for it, then applies the settings the create request cannot carry.
func (p *Provider) create(ctx context.Context, api *godo.Client, req providers.ApplyRequest, want providers.Resource) (*providers.Resource, error) {
	var db *godo.Database
	var err error
	if id := req.Journal[journalID]; id != "" {
		if db, err = p.get(ctx, api, id); err != nil {
			return nil, err
		}
	}
	name := want.Private[privName]
	if db == nil {
		if db, err = p.findByName(ctx, api, name, req.Spec.Name); err != nil {
			return nil, err
		}
	}
	if db != nil {
		req.Progress(fmt.Sprintf("resuming: cluster %s (%s) is %s", db.Name, db.ID, db.Status))
	} else {
		a := want.Attrs
		req.Progress(fmt.Sprintf("creating cluster %s: Valkey %s, %s, %s node(s), %s", name, a[attrVersion], a[attrSize], a[attrNumNodes], a[attrRegion]))
		if db, err = p.createCluster(ctx, api, req.Spec.Name, createRequest(want)); err != nil {
			return nil, err
		}
	}
	if err := req.Record(journalID, db.ID); err != nil {
		return nil, err
	}
	return p.converge(ctx, api, req, db.ID, want)
}

func createRequest(want providers.Resource) *godo.DatabaseCreateRequest {
	a := want.Attrs
	n, _ := strconv.Atoi(a[attrNumNodes])
	return &godo.DatabaseCreateRequest{
		Name: want.Private[privName], EngineSlug: a[attrEngine], Version: a[attrVersion],
		SizeSlug: a[attrSize], Region: a[attrRegion], NumNodes: n,
		PrivateNetworkUUID: a[attrVPC], Tags: splitList(a[attrTags]), ProjectID: want.Private[privProject],
		Rules: firewallRules(a[attrSources]),
	}
}

func firewallRules(sources string) []*godo.DatabaseCreateFirewallRule {
	rules := []*godo.DatabaseCreateFirewallRule{}
	for _, src := range splitList(sources) {
		typ, val, _ := strings.Cut(src, ":")
		rules = append(rules, &godo.DatabaseCreateFirewallRule{Type: typ, Value: val})
	}
	return rules
}

// createCluster sends the create request. The transport does not repeat it
// after a server error, because DigitalOcean may have created the cluster
// anyway: the cluster is looked up by name before trying again.
func (p *Provider) createCluster(ctx context.Context, api *godo.Client, deployment string, cr *godo.DatabaseCreateRequest) (*godo.Database, error) {
	for attempt := 0; ; attempt++ {
		db, _, err := api.Databases.Create(ctx, cr)
		if err == nil {
			return db, nil
		}
		if !serverError(err) || attempt >= p.RetryMax {
			return nil, apiError("create cluster "+cr.Name, err)
		}
		found, ferr := p.findByName(ctx, api, cr.Name, deployment)
		if ferr != nil {
			return nil, ferr
		}
		if found != nil {
			return found, nil
		}
		if err := providers.Sleep(ctx, min(p.RetryWait<<attempt, p.RetryMaxWait)); err != nil {
			return nil, err
		}
	}
}

// converge waits for the cluster to be online, then changes whatever
// differs from want, waiting after each operation DigitalOcean runs in the
// background. It returns the cluster as it then is.
func (p *Provider) converge(ctx context.Context, api *godo.Client, req providers.ApplyRequest, id string, want providers.Resource) (*providers.Resource, error) {
	db, err := p.waitOnline(ctx, api, req, id)
	if err != nil {
		return nil, err
	}
	a := want.Attrs
	if versionLess(majorVersion(db.VersionSlug), a[attrVersion]) {
		if db, err = p.operate(ctx, api, req, id, "upgrade to Valkey "+a[attrVersion], func() (*godo.Response, error) {
			return api.Databases.UpgradeMajorVersion(ctx, id, &godo.UpgradeVersionRequest{Version: a[attrVersion]})
		}); err != nil {
			return nil, err
		}
	}
	nodes, _ := strconv.Atoi(a[attrNumNodes])
	if db.SizeSlug != a[attrSize] || db.NumNodes != nodes {
		if db, err = p.operate(ctx, api, req, id, fmt.Sprintf("resize to %s with %d node(s)", a[attrSize], nodes), func() (*godo.Response, error) {
			return api.Databases.Resize(ctx, id, &godo.DatabaseResizeRequest{SizeSlug: a[attrSize], NumNodes: nodes})
		}); err != nil {
			return nil, err
		}
	}
	if db.RegionSlug != a[attrRegion] {
		if db, err = p.operate(ctx, api, req, id, "migrate to "+a[attrRegion], func() (*godo.Response, error) {
			return api.Databases.Migrate(ctx, id, &godo.DatabaseMigrateRequest{Region: a[attrRegion], PrivateNetworkUUID: a[attrVPC]})
		}); err != nil {
			return nil, err
		}
	}
	live, err := p.observe(ctx, api, req.Deployment, db, want.Private)
	if err != nil {
		return nil, err
	}
	if err := p.settle(ctx, api, req, db, live, want); err != nil {
		return nil, err
	}
	if db, err = p.waitOnline(ctx, api, req, id); err != nil {
		return nil, err
	}
	return p.observe(ctx, api, req.Deployment, db, want.Private)
}

// operate starts a background operation (resize, migrate, upgrade),
// journals it, and waits for the cluster to be online again.
func (p *Provider) operate(ctx context.Context, api *godo.Client, req providers.ApplyRequest, id, what string, start func() (*godo.Response, error)) (*godo.Database, error) {
	if err := req.Record(journalOp, what); err != nil {
		return nil, err
	}
	req.Progress(what)
	if _, err := start(); err != nil {
		return nil, apiError(what, err)
	}
	return p.waitOnline(ctx, api, req, id)
}

// settle applies the settings DigitalOcean changes immediately.
func (p *Provider) settle(ctx context.Context, api *godo.Client, req providers.ApplyRequest, db *godo.Database, live *providers.Resource, want providers.Resource) error {
	id := db.ID
	differs := func(attr string) bool {
		v, managed := want.Attrs[attr]
		return managed && v != live.Attrs[attr]
	}
	if differs(attrEviction) {
		policy := strings.ReplaceAll(want.Attrs[attrEviction], "-", "_")
		req.Progress("eviction policy " + want.Attrs[attrEviction])
		if _, err := api.Databases.SetEvictionPolicy(ctx, id, policy); err != nil {
			return apiError("set eviction policy", err)
		}
	}
	if differs(attrPersistence) {
		v := persistenceToAPI(want.Attrs[attrPersistence])
		req.Progress("valkey_persistence " + v)
		if _, err := api.Databases.UpdateValkeyConfig(ctx, id, &godo.ValkeyConfig{ValkeyPersistence: &v}); err != nil {
			return apiError("set valkey_persistence", err)
		}
	}
	if differs(attrSources) {
		req.Progress("trusted sources [" + want.Attrs[attrSources] + "]")
		var rules []*godo.DatabaseFirewallRule
		for _, r := range firewallRules(want.Attrs[attrSources]) {
			rules = append(rules, &godo.DatabaseFirewallRule{Type: r.Type, Value: r.Value})
		}
		if rules == nil {
			rules = []*godo.DatabaseFirewallRule{}
		}
		if _, err := api.Databases.UpdateFirewallRules(ctx, id, &godo.DatabaseUpdateFirewallRulesRequest{Rules: rules}); err != nil {
			return apiError("update trusted sources", err)
		}
	}
	if differs(attrMaintenance) {
		day, hour, _ := strings.Cut(want.Attrs[attrMaintenance], " ")
		req.Progress("maintenance window " + want.Attrs[attrMaintenance])
		if _, err := api.Databases.UpdateMaintenance(ctx, id, &godo.DatabaseUpdateMaintenanceRequest{Day: day, Hour: hour}); err != nil {
			return apiError("update maintenance window", err)
		}
	}
	if differs(attrTags) {
		add, remove := diffLists(splitList(live.Attrs[attrTags]), splitList(want.Attrs[attrTags]))
		res := []godo.Resource{{ID: id, Type: godo.DatabaseResourceType}}
		for _, t := range add {
			req.Progress("tag " + t)
			if _, _, err := api.Tags.Create(ctx, &godo.TagCreateRequest{Name: t}); err != nil {
				return apiError("create tag "+t, err)
			}
			if _, err := api.Tags.TagResources(ctx, t, &godo.TagResourcesRequest{Resources: res}); err != nil {
				return apiError("tag cluster "+t, err)
			}
		}
		for _, t := range remove {
			req.Progress("untag " + t)
			if _, err := api.Tags.UntagResources(ctx, t, &godo.UntagResourcesRequest{Resources: res}); err != nil && !notFound(err) {
				return apiError("untag cluster "+t, err)
			}
		}
	}
	return nil
}

// waitOnline polls the cluster every PollInterval until it is online,
// reporting each status it passes through.
func (p *Provider) waitOnline(ctx context.Context, api *godo.Client, req providers.ApplyRequest, id string) (*godo.Database, error) {
	start := time.Now()
	first := ""
	for {
		db, err := p.get(ctx, api, id)
		if err != nil {
			return nil, err
		}
		if db == nil {
			return nil, fmt.Errorf("cluster %s disappeared while redisctl waited for it (deleted outside redisctl?); run plan again", id)
		}
		if db.Status == statusOnline {
			if first != "" {
				req.Progress(fmt.Sprintf("%s → online [%s elapsed]", first, time.Since(start).Round(time.Second)))
			}
			return db, nil
		}
		if first == "" {
			first = db.Status
			req.Progress(fmt.Sprintf("cluster %s is %s; waiting for online (polling every %s)", db.Name, db.Status, req.PollInterval))
		}
		if err := req.PollWait(ctx); err != nil {
			return nil, err
		}
	}
}

// destroy deletes a cluster and waits until the API no longer knows it, so
// a replacement can take its name.
func (p *Provider) destroy(ctx context.Context, api *godo.Client, req providers.ApplyRequest, id string) error {
	if id == "" {
		return nil
	}
	if err := req.Record(journalDelID, id); err != nil {
		return err
	}
	req.Progress("deleting cluster " + id)
	if _, err := api.Databases.Delete(ctx, id); err != nil && !notFound(err) {
		return apiError("delete cluster "+id, err)
	}
	for {
		db, err := p.get(ctx, api, id)
		if err != nil {
			return err
		}
		if db == nil {
			return nil
		}
		if err := req.PollWait(ctx); err != nil {
			return err
		}
	}
}
