package azure

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// target is where a resource lives in Azure.
type target struct {
	sub, rg, name string // name: the cluster (Managed Redis) or cache (classic)
	cl            *clients
}

// targetOf locates a resource: from its ID once it exists, else from the
// spec's settings.
func (p *Provider) targetOf(d providers.Deployment, r providers.Resource) (target, error) {
	var t target
	if r.ID != "" {
		id := parseID(r.ID)
		t.sub, t.rg, t.name = id.subscription, id.resourceGroup, id.name
	} else {
		s := settings(d.Spec)
		t.sub = r.Private[privSub]
		if t.sub == "" {
			sub, err := p.subscription(s)
			if err != nil {
				return t, err
			}
			t.sub = sub
		}
		t.rg = s.ResourceGroup
		switch r.Type {
		case typeCluster:
			t.rg, t.name = r.Attrs["resource_group"], r.Attrs["name"]
		case typeDatabase:
			t.name = clusterName(d.Spec, s)
		case typeCache:
			t.name = r.Attrs["name"]
			if rg := r.Private["resource_group"]; rg != "" {
				t.rg = rg
			}
		}
	}
	if t.sub == "" || t.rg == "" || t.name == "" {
		return t, fmt.Errorf("%s: cannot tell where it lives in Azure (subscription %q, resource group %q, name %q)", r.Address(), t.sub, t.rg, t.name)
	}
	cl, err := p.clientsFor(t.sub)
	if err != nil {
		return t, err
	}
	t.cl = cl
	return t, nil
}

// getCluster reads a cluster (nil when it does not exist) and its tags.
func (t target) getCluster(ctx context.Context, prev providers.Resource, spec *topology.Spec) (*providers.Resource, map[string]string, error) {
	var raw *http.Response
	res, err := t.cl.clusters.Get(runtime.WithCaptureResponse(ctx, &raw), t.rg, t.name, nil)
	if notFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, explain("read Azure Managed Redis "+t.name, err)
	}
	r := clusterResource(res.Cluster, rawProperties(raw), prev, spec)
	tags := tagValues(res.Tags)
	if props := rawProperties(raw); props != nil {
		r.Private["resource_state"] = propString(props, "resourceState", "")
	}
	return &r, tags, nil
}

// getDatabase reads the cluster's database (nil when it does not exist).
func (t target) getDatabase(ctx context.Context, host string, spec *topology.Spec) (*providers.Resource, error) {
	var raw *http.Response
	res, err := t.cl.databases.Get(runtime.WithCaptureResponse(ctx, &raw), t.rg, t.name, nameDatabase, nil)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, explain("read the database of Azure Managed Redis "+t.name, err)
	}
	r := databaseResource(res.Database, rawProperties(raw), host, spec)
	return &r, nil
}

// getCache reads a classic cache (nil when it does not exist) and its tags.
func (t target) getCache(ctx context.Context, prev providers.Resource, spec *topology.Spec) (*providers.Resource, map[string]string, error) {
	res, err := t.cl.caches.Get(ctx, t.rg, t.name, nil)
	if notFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, explain("read Azure Cache for Redis "+t.name, err)
	}
	r := cacheResource(res.ResourceInfo, prev, spec)
	return &r, tagValues(res.ResourceInfo.Tags), nil
}

// resolveSecret reads an env: or file: reference (file paths relative to
// the spec's directory).
func resolveSecret(ref topology.SecretRef, specFile, what string) (string, error) {
	switch ref.Source {
	case topology.SecretEnv:
		if v := os.Getenv(ref.Name); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s comes from environment variable %s, which is not set", what, ref.Name)
	case topology.SecretFile:
		path := ref.Name
		if !filepath.IsAbs(path) && specFile != "" {
			path = filepath.Join(filepath.Dir(specFile), path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s comes from file %s: %w", what, path, err)
		}
		if v := strings.TrimSpace(string(b)); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s comes from file %s, which is empty", what, path)
	}
	return "", fmt.Errorf("%s: want env:NAME or file:PATH", what)
}
