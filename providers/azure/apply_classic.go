package azure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redis/armredis/v2"

	"github.com/redisctl/redisctl/providers"
)

func (p *Provider) applyCache(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	c := req.Change
	switch c.Action {
	case providers.ActionCreate:
		return p.adoptCache(ctx, req, *c.After)
	case providers.ActionUpdate:
		return p.updateCache(ctx, req, *c.Before, *c.After)
	case providers.ActionDelete:
		return nil, p.deleteCache(ctx, req, *c.Before)
	}
	// Plan never replaces a classic cache: it cannot be created again.
	panic(fmt.Sprintf("azure: impossible action %q on a classic cache", c.Action))
}

// adoptCache takes over an existing classic cache; it never creates one.
func (p *Provider) adoptCache(ctx context.Context, req providers.ApplyRequest, want providers.Resource) (*providers.Resource, error) {
	t, err := p.targetOf(req.Deployment, want)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "adopt Azure Cache for Redis " + t.name}
	cur, _, err := t.getCache(ctx, want, req.Spec)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, fmt.Errorf("Azure Cache for Redis %q does not exist in resource group %q, and redisctl does not create classic caches: the service accepts no new caches since October 2026. Fix provider.classicCache, or remove it and set provider.location to create Azure Managed Redis instead", t.name, t.rg)
	}
	// Adopting only tags the cache; other differences show in the next plan.
	tagsOnly := providers.Resource{Attrs: map[string]string{"tags": want.Attrs["tags"]}}
	return p.convergeCache(ctx, req, t, o, *cur, tagsOnly)
}

func (p *Provider) updateCache(ctx context.Context, req providers.ApplyRequest, before, want providers.Resource) (*providers.Resource, error) {
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return nil, err
	}
	o := op{req: req, what: "update Azure Cache for Redis " + t.name}
	if tok := resumeToken(req, jUpdate); tok != "" {
		pl, err := t.cl.caches.BeginUpdate(ctx, t.rg, t.name, armredis.UpdateParameters{}, &armredis.ClientBeginUpdateOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return nil, err
		}
	}
	return p.convergeCache(ctx, req, t, o, before, want)
}

// convergeCache waits for the cache to settle, then updates what differs
// from want.
func (p *Provider) convergeCache(ctx context.Context, req providers.ApplyRequest, t target, o op, prev, want providers.Resource) (*providers.Resource, error) {
	cur, realTags, err := t.settledCache(ctx, o, prev, req)
	if err != nil {
		return nil, err
	}
	upd, changed := cacheUpdate(want.Attrs, cur.Attrs, realTags, prev.Private[privTagKeys])
	if len(changed) == 0 {
		return cur, nil
	}
	req.Progress(fmt.Sprintf("%s: Redis.Update(%s)", o.what, strings.Join(changed, ", ")))
	pl, err := t.cl.caches.BeginUpdate(ctx, t.rg, t.name, upd, nil)
	if err := startAndWait(ctx, o, jUpdate, pl, err); err != nil {
		return nil, err
	}
	cur, _, err = t.settledCache(ctx, o, prev, req)
	if err != nil {
		return nil, err
	}
	cur.Private[privTagKeys] = tagKeys(desiredTags(req.Spec))
	return cur, nil
}

func (t target) settledCache(ctx context.Context, o op, prev providers.Resource, req providers.ApplyRequest) (*providers.Resource, map[string]string, error) {
	var got *providers.Resource
	var tags map[string]string
	err := settle(ctx, o, func() (string, error) {
		r, tg, err := t.getCache(ctx, prev, req.Spec)
		if err != nil {
			return "", err
		}
		if r == nil {
			return "", fmt.Errorf("%s: the cache is gone", o.what)
		}
		got, tags = r, tg
		return r.Private[privState], nil
	})
	return got, tags, err
}

func (p *Provider) deleteCache(ctx context.Context, req providers.ApplyRequest, before providers.Resource) error {
	t, err := p.targetOf(req.Deployment, before)
	if err != nil {
		return err
	}
	if err := p.exportCache(ctx, req, t, before); err != nil {
		return err
	}
	o := op{req: req, what: "delete Azure Cache for Redis " + t.name}
	if tok := resumeToken(req, jDelete); tok != "" {
		pl, err := t.cl.caches.BeginDelete(ctx, t.rg, t.name, &armredis.ClientBeginDeleteOptions{ResumeToken: tok})
		return resumed(ctx, o, pl, err)
	}
	pl, err := t.cl.caches.BeginDelete(ctx, t.rg, t.name, nil)
	if notFound(err) {
		return nil
	}
	return startAndWait(ctx, o, jDelete, pl, err)
}

// exportCache exports a Premium cache's data before it is deleted.
func (p *Provider) exportCache(ctx context.Context, req providers.ApplyRequest, t target, before providers.Resource) error {
	s := settings(req.Spec)
	if s.FinalExport.IsZero() || req.Journal[jExportDone] != "" {
		return nil
	}
	o := op{req: req, what: "export Azure Cache for Redis " + t.name + " (final export)"}
	if tok := resumeToken(req, jExport); tok != "" {
		pl, err := t.cl.caches.BeginExportData(ctx, t.rg, t.name, armredis.ExportRDBParameters{}, &armredis.ClientBeginExportDataOptions{ResumeToken: tok})
		if err := resumed(ctx, o, pl, err); err != nil {
			return err
		}
	} else {
		sas, err := resolveSecret(s.FinalExport, req.Spec.Source, "provider.finalExport")
		if err != nil {
			return err
		}
		prefix := fmt.Sprintf("%s-final-%s", req.Spec.Name, time.Now().UTC().Format("20060102T150405Z"))
		pl, err := t.cl.caches.BeginExportData(ctx, t.rg, t.name, armredis.ExportRDBParameters{Container: &sas, Prefix: &prefix, Format: ptr("RDB")}, nil)
		if err := startAndWait(ctx, o, jExport, pl, err); err != nil {
			return err
		}
	}
	return req.Record(jExportDone, time.Now().UTC().Format(time.RFC3339))
}
