package azure

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redis/armredis/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redisenterprise/armredisenterprise"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Import adopts an existing Azure Managed Redis cluster or classic Azure
// Cache for Redis. ID is an ARM resource ID, or a name with the
// resourceGroup (and subscription) settings. The resource is tagged
// redisctl-deployment=<deployment>, so state can be rebuilt from Azure; the
// returned spec describes it as it is, so the first plan is empty.
func (p *Provider) Import(ctx context.Context, req providers.ImportRequest) (*providers.ImportResponse, error) {
	sub, rg, name, kind, err := p.importTarget(req)
	if err != nil {
		return nil, err
	}
	cl, err := p.clientsFor(sub)
	if err != nil {
		return nil, err
	}
	t := target{sub: sub, rg: rg, name: name, cl: cl}
	if kind == "redis" {
		return p.importCache(ctx, req, t)
	}
	resp, err := p.importManaged(ctx, req, t)
	if err != nil && kind == "" && strings.Contains(err.Error(), "not found") {
		return p.importCache(ctx, req, t)
	}
	return resp, err
}

func (p *Provider) importTarget(req providers.ImportRequest) (sub, rg, name, kind string, err error) {
	if strings.HasPrefix(req.ID, "/subscriptions/") {
		id := parseID(req.ID)
		low := strings.ToLower(req.ID)
		switch {
		case strings.Contains(low, "/providers/microsoft.cache/redisenterprise/"):
			kind = "redisEnterprise"
		case strings.Contains(low, "/providers/microsoft.cache/redis/"):
			kind = "redis"
		default:
			return "", "", "", "", fmt.Errorf("%s is not an Azure Managed Redis (Microsoft.Cache/redisEnterprise) or Azure Cache for Redis (Microsoft.Cache/redis) resource ID", req.ID)
		}
		return id.subscription, id.resourceGroup, id.name, kind, nil
	}
	s := Settings{Subscription: req.Settings["subscription"], ResourceGroup: req.Settings["resourceGroup"]}
	if s.ResourceGroup == "" {
		return "", "", "", "", fmt.Errorf("import %s: give the full resource ID (/subscriptions/…/providers/Microsoft.Cache/redisEnterprise/NAME), or the name with resourceGroup=NAME", req.ID)
	}
	sub, err = p.subscription(s)
	return sub, s.ResourceGroup, req.ID, "", err
}

var labelKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
var labelValueRE = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)

// specLabels are the resource's tags that can be spec labels.
func specLabels(tags map[string]string) (map[string]string, []string) {
	out := map[string]string{}
	var skipped []string
	for k, v := range tags {
		switch {
		case k == "redisctl-deployment":
		case labelKeyRE.MatchString(k) && labelValueRE.MatchString(v) && !strings.HasPrefix(k, "redisctl-"):
			out[k] = v
		default:
			skipped = append(skipped, k)
		}
	}
	sort.Strings(skipped)
	return out, skipped
}

// specWriter builds the imported spec's YAML.
type specWriter struct{ b strings.Builder }

func (w *specWriter) line(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\n")
}

func (w *specWriter) header(what, deployment string, layout topology.Layout) {
	w.line(0, "# Imported by `redisctl import` from %s on %s.", what, time.Now().UTC().Format("2006-01-02"))
	w.line(0, "apiVersion: %s", topology.APIVersion)
	w.line(0, "kind: %s", topology.Kind)
	w.line(0, "name: %s", deployment)
	w.line(0, "layout: %s", layout)
}

func (w *specWriter) labels(labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	w.line(0, "labels:")
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.line(1, "%s: %q", k, labels[k])
	}
}

func (p *Provider) importManaged(ctx context.Context, req providers.ImportRequest, t target) (*providers.ImportResponse, error) {
	c, err := t.cl.clusters.Get(ctx, t.rg, t.name, nil)
	if err != nil {
		return nil, explain("import Azure Managed Redis "+t.name, err)
	}
	first, _, err := t.getCluster(ctx, providers.Resource{}, &topology.Spec{Name: req.Deployment})
	if err != nil {
		return nil, err
	}
	host := first.Private["host"]
	db, err := t.getDatabase(ctx, host, &topology.Spec{})
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, fmt.Errorf("import Azure Managed Redis %s: it has no database; create one (or delete the cluster) first", t.name)
	}
	realTags := tagValues(c.Tags)
	labels, skipped := specLabels(realTags)
	ha := first.Attrs["high_availability"] == "Enabled"
	policy := db.Attrs["clustering_policy"]
	layout := topology.LayoutSingle
	switch {
	case policy == string(PolicyOSSCluster):
		layout = topology.LayoutCluster
	case ha:
		layout = topology.LayoutHA
	}
	sku, ok := managedSKU(first.Attrs["sku"])
	if !ok {
		return nil, fmt.Errorf("import Azure Managed Redis %s: SKU %s is not an Azure Managed Redis SKU (an Enterprise-tier cache must be migrated to Managed Redis first)", t.name, first.Attrs["sku"])
	}
	var w specWriter
	w.header("Azure Managed Redis "+t.name, req.Deployment, layout)
	w.labels(labels)
	switch layout {
	case topology.LayoutHA:
		w.line(0, "replicas: 1")
	case topology.LayoutCluster:
		w.line(0, "# Azure chooses the shard count for the SKU; with shards: 1, memory is the whole dataset.")
		w.line(0, "shards: 1")
		w.line(0, "replicas: %d", map[bool]int{true: 1, false: 0}[ha])
	}
	if z := first.Attrs["zones"]; z != "" {
		w.line(0, "zones: [\"%s\"]", strings.ReplaceAll(z, ",", `", "`))
	}
	w.line(0, "memory: %s", human(sku.Bytes))
	w.line(0, "evictionPolicy: %s", db.Attrs["eviction_policy"])
	mode, freq, _ := strings.Cut(db.Attrs["persistence"], "/")
	switch mode {
	case "aof":
		w.line(0, "persistence:\n  mode: aof\n  fsync: everysec")
	case "rdb":
		w.line(0, "persistence:\n  mode: rdb")
	}
	if db.Attrs["client_protocol"] == "Encrypted" {
		w.line(0, "tls:\n  enabled: true")
	}
	w.line(0, "provider:")
	w.line(1, "name: %s", Name)
	w.line(1, "subscription: %s", t.sub)
	w.line(1, "resourceGroup: %s", t.rg)
	w.line(1, "location: %s", first.Attrs["location"])
	if t.name != req.Deployment {
		w.line(1, "clusterName: %s", t.name)
	}
	w.line(1, "sku: %s", sku.Name)
	if layout != topology.LayoutCluster && policy != string(PolicyEnterpriseCluster) {
		w.line(1, "clusteringPolicy: %s", policy)
	}
	if db.Attrs["access_keys_auth"] == "Disabled" {
		w.line(1, "accessKeys: Disabled")
	}
	if first.Attrs["public_network_access"] == "Disabled" {
		w.line(1, "publicNetworkAccess: Disabled")
	}
	if mode == "rdb" && freq != "1h" {
		w.line(1, "rdbFrequency: %s", freq)
	}
	w.line(1, "# Set finalExport (a blob container SAS URL) or skipFinalExport before destroying.")
	w.line(1, "skipFinalExport: false")
	data := []byte(w.b.String())
	spec, err := topology.Parse(req.Deployment+".yaml", data)
	if err != nil {
		return nil, fmt.Errorf("import: the spec written for %s does not load: %w", t.name, err)
	}
	resp := &providers.ImportResponse{Spec: data}
	if first.Attrs["minimum_tls_version"] != "1.2" {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("minimum TLS version is %s: the first apply raises it to 1.2", first.Attrs["minimum_tls_version"]))
	}
	if len(skipped) > 0 {
		resp.Warnings = append(resp.Warnings, "tags kept on Azure but not made spec labels (not valid label names): "+strings.Join(skipped, ", "))
	}
	if err := p.tagForImport(ctx, t, "redisEnterprise", realTags, req.Deployment); err != nil {
		return nil, err
	}
	cl, _, err := t.getCluster(ctx, providers.Resource{}, spec)
	if err != nil {
		return nil, err
	}
	delete(cl.Private, "resource_state")
	dbr, err := t.getDatabase(ctx, host, spec)
	if err != nil {
		return nil, err
	}
	resp.Resources = []providers.Resource{*cl, *dbr}
	resp.Warnings = append(resp.Warnings, fmt.Sprintf("tagged %s with redisctl-deployment=%s", t.name, req.Deployment))
	return resp, nil
}

func (p *Provider) importCache(ctx context.Context, req providers.ImportRequest, t target) (*providers.ImportResponse, error) {
	res, err := t.cl.caches.Get(ctx, t.rg, t.name, nil)
	if err != nil {
		return nil, explain("import Azure Cache for Redis "+t.name, err)
	}
	cur := cacheResource(res.ResourceInfo, providers.Resource{}, &topology.Spec{})
	tier, family, capacity, ok := parseClassicSKU(cur.Attrs["sku"])
	if !ok {
		return nil, fmt.Errorf("import Azure Cache for Redis %s: unknown SKU %q", t.name, cur.Attrs["sku"])
	}
	labels, skipped := specLabels(tagValues(res.ResourceInfo.Tags))
	shards, _ := strconv.Atoi(cur.Attrs["shard_count"])
	replicas, _ := strconv.Atoi(cur.Attrs["replicas_per_primary"])
	layout := topology.LayoutHA
	switch {
	case tier == "Basic":
		layout = topology.LayoutSingle
	case shards > 0:
		layout = topology.LayoutCluster
	}
	var w specWriter
	w.header("Azure Cache for Redis "+t.name+" (classic: no new caches since October 2026, retired in 2028)", req.Deployment, layout)
	w.labels(labels)
	switch layout {
	case topology.LayoutHA:
		w.line(0, "replicas: %d", replicas)
	case topology.LayoutCluster:
		w.line(0, "shards: %d", shards)
		w.line(0, "replicas: %d", replicas)
	}
	w.line(0, "memory: %s", human(classicBytes(family, capacity)))
	if pol := cur.Attrs["maxmemory_policy"]; pol != "" {
		w.line(0, "evictionPolicy: %s", pol)
	}
	if m := cur.Attrs["persistence"]; m != "none" {
		w.line(0, "persistence:\n  mode: %s", m)
	}
	if cur.Attrs["non_ssl_port"] == "Disabled" {
		w.line(0, "tls:\n  enabled: true")
	}
	w.line(0, "provider:")
	w.line(1, "name: %s", Name)
	w.line(1, "subscription: %s", t.sub)
	w.line(1, "resourceGroup: %s", t.rg)
	w.line(1, "classicCache: %s", t.name)
	if layout == topology.LayoutHA && tier == "Premium" && replicas == 1 {
		w.line(1, "classicTier: Premium")
	}
	if tier == "Premium" {
		w.line(1, "# Set finalExport (a blob container SAS URL) or skipFinalExport before destroying.")
		w.line(1, "skipFinalExport: false")
	} else {
		w.line(1, "# A %s cache cannot export its data: destroy deletes it without a copy.", tier)
		w.line(1, "skipFinalExport: true")
	}
	data := []byte(w.b.String())
	spec, err := topology.Parse(req.Deployment+".yaml", data)
	if err != nil {
		return nil, fmt.Errorf("import: the spec written for %s does not load: %w", t.name, err)
	}
	resp := &providers.ImportResponse{Spec: data, Warnings: []string{retirementWarning(t.name)}}
	if cur.Attrs["minimum_tls_version"] != "1.2" {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("minimum TLS version is %s: the first apply raises it to 1.2", cur.Attrs["minimum_tls_version"]))
	}
	if len(skipped) > 0 {
		resp.Warnings = append(resp.Warnings, "tags kept on Azure but not made spec labels (not valid label names): "+strings.Join(skipped, ", "))
	}
	if err := p.tagForImport(ctx, t, "redis", tagValues(res.ResourceInfo.Tags), req.Deployment); err != nil {
		return nil, err
	}
	r, _, err := t.getCache(ctx, providers.Resource{}, spec)
	if err != nil {
		return nil, err
	}
	r.Private[privTagKeys] = tagKeys(desiredTags(spec))
	resp.Resources = []providers.Resource{*r}
	resp.Warnings = append(resp.Warnings, fmt.Sprintf("tagged %s with redisctl-deployment=%s", t.name, req.Deployment))
	return resp, nil
}

// tagForImport adds the deployment tag, keeping every other tag.
func (p *Provider) tagForImport(ctx context.Context, t target, kind string, real map[string]string, deployment string) error {
	switch owner := real["redisctl-deployment"]; owner {
	case deployment:
		return nil
	case "":
	default:
		return fmt.Errorf("%s is tagged redisctl-deployment=%s: deployment %q manages it; import it under --name %s (to rebuild that deployment's state), or remove the tag first", t.name, owner, owner, owner)
	}
	tags := map[string]string{}
	for k, v := range real {
		tags[k] = v
	}
	tags["redisctl-deployment"] = deployment
	interval := 5 * time.Second
	if d, err := time.ParseDuration(p.Getenv("REDISCTL_POLL_INTERVAL")); err == nil && d > 0 {
		interval = d
	}
	o := op{what: "tag " + t.name, req: providers.ApplyRequest{
		Deployment: providers.Deployment{PollInterval: interval},
		Record:     func(string, string) error { return nil },
		Progress:   func(string) {},
	}}
	if kind == "redis" {
		pl, err := t.cl.caches.BeginUpdate(ctx, t.rg, t.name, armredis.UpdateParameters{Tags: tagPtrs(tags)}, nil)
		if err != nil {
			return explain(o.what, err)
		}
		_, err = wait(ctx, o, pl)
		return err
	}
	pl, err := t.cl.clusters.BeginUpdate(ctx, t.rg, t.name, armredisenterprise.ClusterUpdate{Tags: tagPtrs(tags)}, nil)
	if err != nil {
		return explain(o.what, err)
	}
	_, err = wait(ctx, o, pl)
	return err
}
