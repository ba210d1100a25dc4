package digitalocean

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/digitalocean/godo"
	"gopkg.in/yaml.v3"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Import adopts an existing Valkey cluster by its UUID: it writes a spec
// describing the cluster as it is, tags the cluster
// redisctl-deployment:<name> (the tag redisctl recognises its clusters by),
// and returns the resource to record, so the first plan is empty.
func (p *Provider) Import(ctx context.Context, req providers.ImportRequest) (*providers.ImportResponse, error) {
	endpoint := ""
	for k, v := range req.Settings {
		if k != "endpoint" {
			return nil, fmt.Errorf("the digitalocean importer takes only endpoint=public|private, not %s (a cluster UUID is unique across regions)", k)
		}
		endpoint = v
	}
	api, err := p.api()
	if err != nil {
		return nil, err
	}
	db, err := p.get(ctx, api, req.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case db == nil:
		return nil, fmt.Errorf("no database cluster %s in this account (doctl databases list shows the UUIDs)", req.ID)
	case db.EngineSlug == "redis":
		return nil, fmt.Errorf("cluster %s runs DigitalOcean's retired Redis engine; migrate it to Valkey first (control panel or online migration)", db.Name)
	case db.EngineSlug != string(topology.EngineValkey):
		return nil, fmt.Errorf("cluster %s is a %s cluster, not Valkey", db.Name, db.EngineSlug)
	case db.NumNodes < 1 || db.NumNodes > 2:
		return nil, fmt.Errorf("cluster %s has %d nodes; redisctl maps Valkey clusters of 1 or 2 nodes", db.Name, db.NumNodes)
	case db.Status != statusOnline:
		return nil, fmt.Errorf("cluster %s is %s; import it once it is online", db.Name, db.Status)
	}
	data, err := p.importSpec(ctx, api, req.Deployment, endpoint, db)
	if err != nil {
		return nil, err
	}
	spec, err := topology.Parse(req.Deployment+".yaml", data)
	if err != nil {
		return nil, fmt.Errorf("the spec written for cluster %s does not load (a redisctl bug): %w", db.Name, err)
	}
	vr, err := p.Validate(ctx, providers.ValidateRequest{Spec: spec})
	if err != nil {
		return nil, err
	}
	if len(vr.Problems) > 0 {
		return nil, fmt.Errorf("cluster %s cannot be described for redisctl: %w", db.Name, vr.Problems)
	}
	resp := &providers.ImportResponse{Spec: data}
	tag := deploymentTag(req.Deployment)
	if !containsTag(db.Tags, tag) {
		res := []godo.Resource{{ID: db.ID, Type: godo.DatabaseResourceType}}
		if _, _, err := api.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
			return nil, apiError("create tag "+tag, err)
		}
		if _, err := api.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: res}); err != nil {
			return nil, apiError("tag cluster "+tag, err)
		}
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("tagged cluster %s with %s so redisctl recognises it", db.Name, tag))
		if db, err = p.get(ctx, api, db.ID); err != nil || db == nil {
			return nil, fmt.Errorf("read cluster %s back after tagging: %v", req.ID, err)
		}
	}
	live, err := p.observe(ctx, api, providers.Deployment{Spec: spec, Fingerprint: req.Fingerprint}, db, nil)
	if err != nil {
		return nil, err
	}
	resp.Resources = []providers.Resource{*live}
	return resp, nil
}

type importedSpec struct {
	APIVersion     string            `yaml:"apiVersion"`
	Kind           string            `yaml:"kind"`
	Name           string            `yaml:"name"`
	Labels         map[string]string `yaml:"labels,omitempty"`
	Layout         string            `yaml:"layout"`
	Replicas       int               `yaml:"replicas,omitempty"`
	Memory         string            `yaml:"memory"`
	EvictionPolicy string            `yaml:"evictionPolicy"`
	Persistence    struct {
		Mode string `yaml:"mode"`
	} `yaml:"persistence"`
	TLS struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"tls"`
	Engine struct {
		Name    string `yaml:"name"`
		Version string `yaml:"version"`
	} `yaml:"engine"`
	Network  *importedNetwork `yaml:"network,omitempty"`
	Provider importedProvider `yaml:"provider"`
}

type importedNetwork struct {
	AllowedCIDRs []string `yaml:"allowedCIDRs"`
}

type importedProvider struct {
	Name     string `yaml:"name"`
	Settings `yaml:",inline"`
}

var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

// importSpec describes a cluster as a spec. The plan is named explicitly
// (provider.size), so the memory-to-plan table never resizes it.
func (p *Provider) importSpec(ctx context.Context, api *godo.Client, deployment, endpoint string, db *godo.Database) ([]byte, error) {
	policy, _, err := api.Databases.GetEvictionPolicy(ctx, db.ID)
	if err != nil {
		return nil, apiError("get eviction policy", err)
	}
	cfg, _, err := api.Databases.GetValkeyConfig(ctx, db.ID)
	if err != nil {
		return nil, apiError("get valkey config", err)
	}
	fw, _, err := api.Databases.GetFirewallRules(ctx, db.ID)
	if err != nil {
		return nil, apiError("get trusted sources", err)
	}
	s := importedSpec{APIVersion: topology.APIVersion, Kind: topology.Kind, Name: deployment,
		Layout: string(topology.LayoutSingle), EvictionPolicy: strings.ReplaceAll(policy, "_", "-")}
	if db.NumNodes == 2 {
		s.Layout, s.Replicas = string(topology.LayoutHA), 1
	}
	ram := sizeRAM(db.SizeSlug)
	if ram == 0 {
		return nil, fmt.Errorf("cluster %s runs on plan %s, which redisctl does not know yet", db.Name, db.SizeSlug)
	}
	s.Memory = topology.Quantity{Bytes: ram}.String()
	s.Persistence.Mode = string(topology.PersistenceRDB)
	if cfg.ValkeyPersistence != nil {
		s.Persistence.Mode = persistenceFromAPI(*cfg.ValkeyPersistence)
	}
	s.TLS.Enabled = true
	s.Engine.Name, s.Engine.Version = string(topology.EngineValkey), majorVersion(db.VersionSlug)
	pv := importedProvider{Name: Name, Settings: Settings{Region: db.RegionSlug, Size: db.SizeSlug, VPC: db.PrivateNetworkUUID}}
	if db.Name != deployment {
		pv.ClusterName = db.Name
	}
	if endpoint == "private" {
		pv.Endpoint = endpoint
	}
	for _, r := range fw {
		if r.Type != "ip_addr" {
			pv.TrustedSources = append(pv.TrustedSources, r.Type+":"+r.Value)
			continue
		}
		cidr := r.Value
		if !strings.Contains(cidr, "/") {
			cidr += "/32"
		}
		if s.Network == nil {
			s.Network = &importedNetwork{}
		}
		s.Network.AllowedCIDRs = append(s.Network.AllowedCIDRs, cidr)
	}
	for _, t := range db.Tags {
		k, v, isLabel := strings.Cut(t, ":")
		switch {
		case t == deploymentTag(deployment):
		case isLabel && labelKey.MatchString(k) && labelValue.MatchString(v) && !strings.HasPrefix(k, "redisctl-"):
			if s.Labels == nil {
				s.Labels = map[string]string{}
			}
			s.Labels[k] = v
		default:
			pv.Tags = append(pv.Tags, t)
		}
	}
	if w := db.MaintenanceWindow; w != nil && w.Day != "" {
		day, hour, _ := strings.Cut(maintenanceString(w.Day, w.Hour), " ")
		pv.MaintenanceWindow = &MaintenanceWindow{Day: day, Hour: hour}
	}
	s.Provider = pv
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported from DigitalOcean database cluster %s (%s).\n", db.Name, db.ID)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func containsTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}
