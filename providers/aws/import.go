package aws

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

// Import adopts an existing replication group: it writes a spec that
// describes the group as it is, tags the group and its parameter group with
// redisctl-deployment, and returns the state resources, so that the first
// plan is empty. What cannot be represented is reported as a warning.
// Settings: region (optional), authTokenEnv (the variable the spec reads the
// AUTH token from; default <DEPLOYMENT>_AUTH_TOKEN).
func (p *Provider) Import(ctx context.Context, req providers.ImportRequest) (*providers.ImportResponse, error) {
	for k := range req.Settings {
		if k != "region" && k != "authTokenEnv" {
			return nil, fmt.Errorf("unknown aws import setting %q (known: region, authTokenEnv)", k)
		}
	}
	region := req.Settings["region"]
	api, err := p.clientFor(ctx, region, 10*time.Second)
	if err != nil {
		return nil, err
	}
	id := strings.ToLower(req.ID)
	g, err := describeGroup(ctx, api, id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("replication group %s not found (check the ID and provider region)", id)
	}
	if st := normalStatus(aws.ToString(g.Status)); st != statusAvailable {
		return nil, fmt.Errorf("replication group %s is %s: import it once it is available", id, st)
	}
	cc, err := describeMember(ctx, api, g)
	if err != nil {
		return nil, err
	}
	if cc == nil {
		return nil, fmt.Errorf("replication group %s has no nodes to read its settings from", id)
	}
	im := &importer{api: api, req: req, g: g, cc: cc, region: region}
	return im.run(ctx)
}

type importer struct {
	api      *elasticache.Client
	req      providers.ImportRequest
	g        *types.ReplicationGroup
	cc       *types.CacheCluster
	region   string
	warnings []string
}

func (im *importer) warn(format string, args ...any) {
	im.warnings = append(im.warnings, fmt.Sprintf(format, args...))
}

func (im *importer) run(ctx context.Context) (*providers.ImportResponse, error) {
	g, name := im.g, im.req.Deployment
	pgName := ""
	if im.cc.CacheParameterGroup != nil {
		pgName = aws.ToString(im.cc.CacheParameterGroup.CacheParameterGroupName)
	}
	values := map[string]string{}
	if pgName != "" && !strings.HasPrefix(pgName, "default.") {
		v, err := userParameters(ctx, im.api, pgName)
		if err != nil {
			return nil, err
		}
		values = v
	} else {
		im.warn("the group uses the read-only parameter group %s: the first plan creates a parameter group redisctl manages and moves the group to it (online)", pgName)
		pgName = ""
	}
	tags, err := listTags(ctx, im.api, aws.ToString(g.ARN))
	if err != nil {
		return nil, err
	}
	spec := im.spec(pgName, values, tags)
	parsed, err := topology.Parse(name+".yaml", spec)
	if err != nil {
		return nil, fmt.Errorf("the spec written for %s does not load (a redisctl bug): %w\n%s", aws.ToString(g.ReplicationGroupId), err, spec)
	}
	if _, probs, _ := resolve(parsed, settings(parsed)); len(probs) > 0 {
		im.warn("the written spec needs attention before plan: %v", probs)
	}
	if err := im.adopt(ctx, aws.ToString(g.ARN), tags, nil); err != nil {
		return nil, err
	}
	resources, err := im.resources(ctx, parsed, pgName)
	if err != nil {
		return nil, err
	}
	im.checkEmptyPlan(parsed, resources)
	return &providers.ImportResponse{Spec: spec, Resources: resources, Warnings: im.warnings}, nil
}

// adopt tags a resource redisctl-deployment=<name>, plus the other tags in
// also it lacks (the spec's labels, for the parameter group).
func (im *importer) adopt(ctx context.Context, arn string, tags, also map[string]string) error {
	name := im.req.Deployment
	if owner, ok := tags[tagDeployment]; ok && owner != name {
		return fmt.Errorf("%s already belongs to redisctl deployment %s", arn, owner)
	}
	add := map[string]string{}
	for k, v := range also {
		if tags[k] != v {
			add[k] = v
		}
	}
	if tags[tagDeployment] != name {
		add[tagDeployment] = name
	}
	if len(add) == 0 {
		return nil
	}
	_, err := im.api.AddTagsToResource(ctx, &elasticache.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: awsTags(add)})
	if err != nil {
		return explain("tag "+arn, err)
	}
	maps.Copy(tags, add)
	return nil
}

// spec writes the YAML that describes the group.
func (im *importer) spec(pgName string, values, tags map[string]string) []byte {
	g, cc := im.g, im.cc
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Imported from ElastiCache replication group %s by redisctl import.", aws.ToString(g.ReplicationGroupId))
	w("apiVersion: %s", topology.APIVersion)
	w("kind: %s", topology.Kind)
	w("name: %s", im.req.Deployment)
	if labels := im.labels(tags); len(labels) > 0 {
		w("labels:")
		for _, k := range slices.Sorted(maps.Keys(labels)) {
			w("  %s: %q", k, labels[k])
		}
	}
	replicas := replicaMax(replicaString(g.NodeGroups))
	switch {
	case aws.ToBool(g.ClusterEnabled):
		w("layout: cluster")
		w("shards: %d", len(g.NodeGroups))
		w("replicas: %d", replicas)
	case replicas == 0:
		w("layout: single")
	default:
		w("layout: ha")
		w("replicas: %d", replicas)
		if g.AutomaticFailover != types.AutomaticFailoverStatusEnabled || g.MultiAZ != types.MultiAZStatusEnabled {
			im.warn("the group has replicas without automatic failover and Multi-AZ; layout ha turns both on in the first plan")
		}
	}
	nt := aws.ToString(g.CacheNodeType)
	if n, ok := lookupNodeType(nt); ok {
		w("memory: %dMi", n.bytes()>>20)
	}
	policy := values["maxmemory-policy"]
	if policy == "" {
		policy = "volatile-lru"
	}
	w("evictionPolicy: %s", policy)
	retention := aws.ToInt32(g.SnapshotRetentionLimit)
	if retention > 0 {
		w("persistence:\n  mode: rdb")
	}
	if aws.ToBool(g.AuthTokenEnabled) {
		w("auth:\n  password: env:%s", im.tokenEnv())
	}
	if aws.ToBool(g.TransitEncryptionEnabled) {
		w("tls:\n  enabled: true")
	}
	if eps := groupEndpoints(g); len(eps) > 0 && eps[0].Port != topology.DefaultBasePort {
		w("network:\n  basePort: %d", eps[0].Port)
	}
	engine := aws.ToString(g.Engine)
	version := majorMinor(aws.ToString(cc.EngineVersion))
	if _, ok := lookupVersion(topology.EngineName(engine), version); !ok {
		im.warn("redisctl does not manage %s %s; the spec asks for it anyway, so validate will ask for a supported version (%s)", engine, version, describeEngines())
	}
	w("engine:\n  name: %s\n  version: %q", engine, version)
	w("provider:\n  name: %s", Name)
	if im.region != "" {
		w("  region: %s", im.region)
	}
	if id := aws.ToString(g.ReplicationGroupId); id != im.req.Deployment {
		w("  replicationGroupId: %s", id)
	}
	w("  nodeType: %s", nt)
	if pgName != "" {
		w("  parameterGroupName: %s", pgName)
	}
	if sg := aws.ToString(cc.CacheSubnetGroupName); sg != "" && sg != "default" {
		w("  subnetGroup: %s", sg)
	}
	if len(cc.SecurityGroups) > 0 {
		var ids []string
		for _, m := range cc.SecurityGroups {
			ids = append(ids, aws.ToString(m.SecurityGroupId))
		}
		slices.Sort(ids)
		w("  securityGroupIds: [%s]", strings.Join(ids, ", "))
	}
	if !aws.ToBool(g.AtRestEncryptionEnabled) {
		w("  atRestEncryption: false")
	}
	if retention > 0 && retention != defaultRetention {
		w("  snapshotRetentionDays: %d", retention)
	}
	if v := aws.ToString(g.SnapshotWindow); v != "" {
		w("  snapshotWindow: %q", v)
	}
	if v := aws.ToString(cc.PreferredMaintenanceWindow); v != "" {
		w("  maintenanceWindow: %q", v)
	}
	return []byte(b.String())
}

func (im *importer) tokenEnv() string {
	if v := im.req.Settings["authTokenEnv"]; v != "" {
		return v
	}
	return strings.ToUpper(strings.ReplaceAll(im.req.Deployment, "-", "_")) + "_AUTH_TOKEN"
}

// labels are the group's tags that fit the spec's label rules.
func (im *importer) labels(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		switch {
		case k == tagDeployment:
		case strings.HasPrefix(k, "redisctl-"), !labelKey.MatchString(k), !labelValue.MatchString(v):
			im.warn("tag %s=%s cannot be written as a spec label; the first plan removes it", k, v)
		default:
			out[k] = v
		}
	}
	return out
}

// resources reads back what the spec describes, as state records it.
func (im *importer) resources(ctx context.Context, spec *topology.Spec, pgName string) ([]providers.Resource, error) {
	t := targetOf(spec)
	var out []providers.Resource
	prior := providers.Resource{Type: typeGroup, Name: groupName, Attrs: map[string]string{}}
	if aws.ToBool(im.g.AuthTokenEnabled) {
		env := im.tokenEnv()
		if tok := os.Getenv(env); tok != "" && im.req.Fingerprint != nil {
			prior.Attrs[attrAuth] = im.req.Fingerprint(tok)
		} else {
			im.warn("%s is not set, so redisctl cannot recognise the current AUTH token: the first plan rotates it to the value %s has then", env, env)
		}
	}
	if pgName != "" {
		r, err := readParams(ctx, im.api, t, providers.Resource{Type: typeParams, Name: pgName, ID: pgName})
		if err != nil {
			return nil, err
		}
		if r != nil {
			if err := im.adopt(ctx, r.Private[privARN], providers.SplitPairs(r.Attrs[attrTags]), t.tags); err != nil {
				return nil, err
			}
			if r, err = readParams(ctx, im.api, t, *r); err != nil {
				return nil, err
			}
			if r != nil {
				out = append(out, *r)
			}
		}
	}
	tags, err := listTags(ctx, im.api, aws.ToString(im.g.ARN))
	if err != nil {
		return nil, err
	}
	out = append(out, groupResource(im.g, im.cc, tags, prior))
	return out, nil
}

// checkEmptyPlan warns about every attribute the first plan would change.
func (im *importer) checkEmptyPlan(spec *topology.Spec, have []providers.Resource) {
	t := targetOf(spec)
	byAddr := map[string]providers.Resource{}
	for _, r := range have {
		byAddr[r.Address()] = r
	}
	for _, want := range desired(t, "") {
		cur, ok := byAddr[want.Address()]
		if !ok {
			continue // already warned about (parameter group)
		}
		delete(want.Attrs, attrAuth)
		w := want
		if c := ruleSet.Diff(&cur, &w); c != nil {
			for _, a := range c.Attrs {
				if a.Name == attrTags && strings.Contains(a.Before, "=") {
					im.warn("%s: the first plan changes tags from %q to %q", want.Address(), a.Before, a.After)
					continue
				}
				im.warn("%s: the first plan changes %s from %q to %q", want.Address(), a.Name, a.Before, a.After)
			}
		}
	}
}
