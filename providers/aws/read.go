package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/providers"
)

// Replication group statuses redisctl acts on.
const (
	statusAvailable = "available"
	statusDeleting  = "deleting"
)

// authUnknown stands for an AUTH token redisctl did not set, whose
// fingerprint it cannot know.
const authUnknown = "(set outside redisctl)"

// Read refreshes every resource from ElastiCache. A resource whose creation
// was interrupted (no ID yet) is looked up by its deterministic name, so a
// re-run adopts it instead of creating it twice.
func (p *Provider) Read(ctx context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	resp := &providers.ReadResponse{}
	if len(req.Resources) == 0 {
		return resp, nil
	}
	api, err := p.api(ctx, req.Deployment)
	if err != nil {
		return nil, err
	}
	t := targetOf(req.Spec)
	for _, r := range req.Resources {
		var live *providers.Resource
		switch r.Type {
		case typeGroup:
			live, err = readGroup(ctx, api, t, r, req.Journals[r.Address()])
		case typeParams:
			live, err = readParams(ctx, api, t, r)
		case typeSubnet:
			live, err = readSubnet(ctx, api, t, r)
		default:
			err = fmt.Errorf("unknown resource type %q in state", r.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address(), err)
		}
		if live == nil {
			// An interrupted delete or replace of redisctl's own is no drift.
			if r.ID != "" && req.Journals[r.Address()][journalOperation] != "DeleteReplicationGroup" {
				resp.Drift = append(resp.Drift, providers.Drift{Address: r.Address(), Message: "deleted outside redisctl; it will be created again"})
			}
			continue
		}
		if r.ID != "" {
			resp.Drift = append(resp.Drift, drift(r, *live)...)
		}
		resp.Resources = append(resp.Resources, *live)
	}
	return resp, nil
}

// drift reports attributes that changed since the last apply.
func drift(old, live providers.Resource) []providers.Drift {
	var out []providers.Drift
	for _, k := range slices.Sorted(maps.Keys(old.Attrs)) {
		v, ok := live.Attrs[k]
		if !ok || v == old.Attrs[k] || k == attrStatus {
			continue
		}
		msg := fmt.Sprintf("%s is %q, state says %q (changed outside redisctl)", k, v, old.Attrs[k])
		if k == attrAuth {
			msg = "the AUTH token was changed outside redisctl"
		}
		out = append(out, providers.Drift{Address: old.Address(), Message: msg})
	}
	return out
}

func nameOf(r providers.Resource, fallback string) string {
	if r.ID != "" {
		return r.ID
	}
	if n := r.Private[privName]; n != "" {
		return n
	}
	return fallback
}

// describeGroup returns the replication group, or nil when it does not exist.
func describeGroup(ctx context.Context, api *elasticache.Client, id string) (*types.ReplicationGroup, error) {
	out, err := api.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String(id)})
	var nf *types.ReplicationGroupNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, explain("describe replication group "+id, err)
	}
	if len(out.ReplicationGroups) == 0 {
		return nil, nil
	}
	return &out.ReplicationGroups[0], nil
}

// describeMember returns the first node of a group, which carries what the
// group itself does not report (engine version, parameter group, security
// groups, maintenance window, changes pending the maintenance window).
func describeMember(ctx context.Context, api *elasticache.Client, g *types.ReplicationGroup) (*types.CacheCluster, error) {
	if len(g.MemberClusters) == 0 {
		return nil, nil
	}
	out, err := api.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: aws.String(g.MemberClusters[0])})
	var nf *types.CacheClusterNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, explain("describe cache cluster "+g.MemberClusters[0], err)
	}
	if len(out.CacheClusters) == 0 {
		return nil, nil
	}
	return &out.CacheClusters[0], nil
}

// memberAndTags reads what groupResource needs besides the group: its
// first node (describeMember) and its tags.
func memberAndTags(ctx context.Context, api *elasticache.Client, g *types.ReplicationGroup) (*types.CacheCluster, map[string]string, error) {
	cc, err := describeMember(ctx, api, g)
	if err != nil {
		return nil, nil, err
	}
	tags, err := listTags(ctx, api, aws.ToString(g.ARN))
	return cc, tags, err
}

func listTags(ctx context.Context, api *elasticache.Client, arn string) (map[string]string, error) {
	if arn == "" {
		return map[string]string{}, nil
	}
	out, err := api.ListTagsForResource(ctx, &elasticache.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if err != nil {
		return nil, explain("list tags of "+arn, err)
	}
	tags := map[string]string{}
	for _, t := range out.TagList {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// ownedTags lists a resource's tags. For a resource state has no ID for yet
// (its creation was interrupted) it also checks, with checkOwner, that the
// one found under its name is this deployment's.
func ownedTags(ctx context.Context, api *elasticache.Client, t target, r providers.Resource, kind, name, arn string) (map[string]string, error) {
	tags, err := listTags(ctx, api, arn)
	if err == nil && r.ID == "" {
		err = checkOwner(kind, name, tags, t)
	}
	return tags, err
}

// checkOwner refuses to adopt a resource another deployment (or someone
// else) made under the name this one would use.
func checkOwner(kind, name string, tags map[string]string, t target) error {
	if owner := tags[tagDeployment]; owner != t.spec.Name {
		if owner == "" {
			owner = "no redisctl deployment"
		}
		return fmt.Errorf("%s %s already exists and belongs to %s (tag %s): choose another provider.replicationGroupId, or adopt it with redisctl import", kind, name, owner, tagDeployment)
	}
	return nil
}

func readGroup(ctx context.Context, api *elasticache.Client, t target, r providers.Resource, journal map[string]string) (*providers.Resource, error) {
	id := nameOf(r, t.id)
	g, err := describeGroup(ctx, api, id)
	if err != nil || g == nil {
		return nil, err
	}
	cc, err := describeMember(ctx, api, g)
	if err != nil {
		return nil, err
	}
	tags, err := ownedTags(ctx, api, t, r, "replication group", id, aws.ToString(g.ARN))
	if err != nil {
		return nil, err
	}
	if fp := journal[privAuthFingerprint]; fp != "" {
		r.Attrs = maps.Clone(r.Attrs)
		r.Attrs[attrAuth] = fp
	}
	live := groupResource(g, cc, tags, r)
	for _, k := range []string{privAuthRotated, privFinalSnapshot} {
		if v := journal[k]; v != "" {
			live.Private[k] = v
		}
	}
	return &live, nil
}

// groupResource renders a replication group as redisctl records it. prior
// supplies what the API cannot tell (the AUTH token's fingerprint) and what
// it does not yet report while the group is being created.
func groupResource(g *types.ReplicationGroup, cc *types.CacheCluster, tags map[string]string, prior providers.Resource) providers.Resource {
	a := map[string]string{}
	maps.Copy(a, prior.Attrs)
	a[attrID] = aws.ToString(g.ReplicationGroupId)
	a[attrEngine] = aws.ToString(g.Engine)
	a[attrNodeType] = aws.ToString(g.CacheNodeType)
	a[attrClusterMode] = enabled(aws.ToBool(g.ClusterEnabled))
	a[attrShards] = strconv.Itoa(len(g.NodeGroups))
	a[attrReplicas] = replicaString(g.NodeGroups)
	a[attrFailover] = enabled(g.AutomaticFailover == types.AutomaticFailoverStatusEnabled || g.AutomaticFailover == types.AutomaticFailoverStatusEnabling)
	a[attrMultiAZ] = enabled(g.MultiAZ == types.MultiAZStatusEnabled)
	a[attrTransit] = strconv.FormatBool(aws.ToBool(g.TransitEncryptionEnabled))
	if aws.ToBool(g.TransitEncryptionEnabled) && g.TransitEncryptionMode == types.TransitEncryptionModePreferred {
		a[attrTransit] = transitPreferred
	}
	a[attrAtRest] = strconv.FormatBool(aws.ToBool(g.AtRestEncryptionEnabled))
	a[attrRetention] = strconv.Itoa(int(aws.ToInt32(g.SnapshotRetentionLimit)))
	a[attrSnapWindow] = aws.ToString(g.SnapshotWindow)
	a[attrTags] = providers.JoinPairs(tags)
	a[attrStatus] = normalStatus(aws.ToString(g.Status))
	switch {
	case !aws.ToBool(g.AuthTokenEnabled):
		a[attrAuth] = ""
	case prior.Attrs[attrAuth] == "":
		a[attrAuth] = authUnknown
	}
	if cc != nil {
		a[attrVersion] = majorMinor(aws.ToString(cc.EngineVersion))
		if pv := cc.PendingModifiedValues; pv != nil {
			// Deferred to the maintenance window: already asked for, so not a diff.
			if v := aws.ToString(pv.EngineVersion); v != "" {
				a[attrVersion] = majorMinor(v)
			}
			if v := aws.ToString(pv.CacheNodeType); v != "" {
				a[attrNodeType] = v
			}
		}
		if cc.CacheParameterGroup != nil {
			a[attrParamGroup] = aws.ToString(cc.CacheParameterGroup.CacheParameterGroupName)
		}
		a[attrSubnetGroup] = aws.ToString(cc.CacheSubnetGroupName)
		var sgs []string
		for _, m := range cc.SecurityGroups {
			sgs = append(sgs, aws.ToString(m.SecurityGroupId))
		}
		a[attrSecurityGroup] = sortedJoin(sgs)
		a[attrMaintWindow] = aws.ToString(cc.PreferredMaintenanceWindow)
	}
	out := providers.Resource{Type: typeGroup, Name: prior.Name, ID: aws.ToString(g.ReplicationGroupId), Attrs: a, DependsOn: prior.DependsOn}
	out.Private = map[string]string{privName: out.ID, privARN: aws.ToString(g.ARN)}
	if v := prior.Private[privAuthRotated]; v != "" {
		out.Private[privAuthRotated] = v
	}
	out.Endpoints = groupEndpoints(g)
	if len(out.Endpoints) > 0 {
		a[attrPort] = strconv.Itoa(out.Endpoints[0].Port)
	}
	return out
}

func normalStatus(s string) string {
	if s == "snapshotting" {
		return statusAvailable // a backup in progress changes nothing redisctl manages
	}
	return s
}

// replicaString is the replicas per shard: one number, or one per shard
// when they differ.
func replicaString(groups []types.NodeGroup) string {
	var counts []string
	for _, ng := range groups {
		counts = append(counts, strconv.Itoa(max(len(ng.NodeGroupMembers)-1, 0)))
	}
	if len(slices.Compact(slices.Clone(counts))) <= 1 {
		if len(counts) == 0 {
			return "0"
		}
		return counts[0]
	}
	return strings.Join(counts, ",")
}

func groupEndpoints(g *types.ReplicationGroup) []providers.Endpoint {
	ep := func(e *types.Endpoint, role string) []providers.Endpoint {
		if e == nil || aws.ToString(e.Address) == "" {
			return nil
		}
		return []providers.Endpoint{{Host: aws.ToString(e.Address), Port: int(aws.ToInt32(e.Port)), Role: role}}
	}
	if aws.ToBool(g.ClusterEnabled) {
		return ep(g.ConfigurationEndpoint, "configuration")
	}
	if len(g.NodeGroups) == 0 {
		return nil
	}
	out := ep(g.NodeGroups[0].PrimaryEndpoint, "primary")
	if len(g.NodeGroups[0].NodeGroupMembers) > 1 {
		out = append(out, ep(g.NodeGroups[0].ReaderEndpoint, "reader")...)
	}
	return out
}

func readParams(ctx context.Context, api *elasticache.Client, t target, r providers.Resource) (*providers.Resource, error) {
	name := nameOf(r, t.paramGroup)
	out, err := api.DescribeCacheParameterGroups(ctx, &elasticache.DescribeCacheParameterGroupsInput{CacheParameterGroupName: aws.String(name)})
	var nf *types.CacheParameterGroupNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, explain("describe parameter group "+name, err)
	}
	if len(out.CacheParameterGroups) == 0 {
		return nil, nil
	}
	pg := out.CacheParameterGroups[0]
	tags, err := ownedTags(ctx, api, t, r, "parameter group", name, aws.ToString(pg.ARN))
	if err != nil {
		return nil, err
	}
	values, err := userParameters(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return paramResource(r, pg, values, tags, t), nil
}

// userParameters returns the parameters changed from the family's defaults.
func userParameters(ctx context.Context, api *elasticache.Client, name string) (map[string]string, error) {
	values := map[string]string{}
	pages := elasticache.NewDescribeCacheParametersPaginator(api, &elasticache.DescribeCacheParametersInput{CacheParameterGroupName: aws.String(name), Source: aws.String("user")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, explain("describe parameters of "+name, err)
		}
		for _, prm := range page.Parameters {
			values[aws.ToString(prm.ParameterName)] = aws.ToString(prm.ParameterValue)
		}
	}
	return values, nil
}

// paramResource renders a parameter group. Only the parameters the spec
// names are compared, so ones set elsewhere are left alone.
func paramResource(prior providers.Resource, pg types.CacheParameterGroup, values, tags map[string]string, t target) *providers.Resource {
	policy := values["maxmemory-policy"]
	if policy == "" {
		policy = "volatile-lru" // ElastiCache's default
	}
	cluster := values["cluster-enabled"]
	if cluster == "" {
		cluster = "no"
	}
	managed := map[string]string{}
	for k := range t.settings.Parameters {
		if v, ok := values[k]; ok {
			managed[k] = v
		}
	}
	name := aws.ToString(pg.CacheParameterGroupName)
	return &providers.Resource{
		Type: typeParams, Name: prior.Name, ID: name,
		Attrs: map[string]string{
			attrFamily: aws.ToString(pg.CacheParameterGroupFamily), attrClusterOn: cluster, attrPolicy: policy,
			attrParameters: providers.JoinPairs(managed), attrTags: providers.JoinPairs(tags),
		},
		Private:   map[string]string{privName: name, privARN: aws.ToString(pg.ARN)},
		DependsOn: prior.DependsOn,
	}
}

func readSubnet(ctx context.Context, api *elasticache.Client, t target, r providers.Resource) (*providers.Resource, error) {
	name := nameOf(r, t.subnetGroup)
	out, err := api.DescribeCacheSubnetGroups(ctx, &elasticache.DescribeCacheSubnetGroupsInput{CacheSubnetGroupName: aws.String(name)})
	var nf *types.CacheSubnetGroupNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, explain("describe subnet group "+name, err)
	}
	if len(out.CacheSubnetGroups) == 0 {
		return nil, nil
	}
	sg := out.CacheSubnetGroups[0]
	tags, err := ownedTags(ctx, api, t, r, "subnet group", name, aws.ToString(sg.ARN))
	if err != nil {
		return nil, err
	}
	return subnetResource(r, sg, tags), nil
}

func subnetResource(prior providers.Resource, sg types.CacheSubnetGroup, tags map[string]string) *providers.Resource {
	var ids []string
	for _, s := range sg.Subnets {
		ids = append(ids, aws.ToString(s.SubnetIdentifier))
	}
	name := aws.ToString(sg.CacheSubnetGroupName)
	return &providers.Resource{
		Type: typeSubnet, Name: prior.Name, ID: name,
		Attrs:     map[string]string{attrSubnets: sortedJoin(ids), attrTags: providers.JoinPairs(tags)},
		Private:   map[string]string{privName: name, privARN: aws.ToString(sg.ARN)},
		DependsOn: prior.DependsOn,
	}
}

// Status reports each node of the replication group.
func (p *Provider) Status(ctx context.Context, req providers.StatusRequest) (*providers.StatusResponse, error) {
	resp := &providers.StatusResponse{}
	var groups []providers.Resource
	for _, r := range req.Resources {
		if r.Type == typeGroup {
			groups = append(groups, r)
		}
	}
	if len(groups) == 0 {
		return resp, nil
	}
	api, err := p.api(ctx, req.Deployment)
	if err != nil {
		return nil, err
	}
	for _, r := range groups {
		g, err := describeGroup(ctx, api, nameOf(r, targetOf(req.Spec).id))
		if err != nil {
			return nil, err
		}
		if g == nil {
			resp.Nodes = append(resp.Nodes, providers.NodeStatus{Name: r.ID, UsedMemory: -1, MaxMemory: -1, Keys: -1, Detail: "replication group not found"})
			continue
		}
		resp.Nodes = append(resp.Nodes, nodeStatuses(g)...)
	}
	return resp, nil
}

func nodeStatuses(g *types.ReplicationGroup) []providers.NodeStatus {
	maxMem := int64(-1)
	if n, ok := lookupNodeType(aws.ToString(g.CacheNodeType)); ok {
		maxMem = n.bytes()
	}
	status := aws.ToString(g.Status)
	var out []providers.NodeStatus
	for _, ng := range g.NodeGroups {
		for _, m := range ng.NodeGroupMembers {
			role := aws.ToString(m.CurrentRole)
			if role == "" {
				role = "node" // cluster mode reports no roles, and failovers move them
			}
			ns := providers.NodeStatus{Name: aws.ToString(m.CacheClusterId), Role: role, Up: normalStatus(status) == statusAvailable,
				UsedMemory: -1, MaxMemory: maxMem, Keys: -1, Detail: fmt.Sprintf("shard %s, %s, %s", aws.ToString(ng.NodeGroupId), aws.ToString(m.PreferredAvailabilityZone), status)}
			if e := m.ReadEndpoint; e != nil {
				ns.Address = fmt.Sprintf("%s:%d", aws.ToString(e.Address), aws.ToInt32(e.Port))
			}
			out = append(out, ns)
		}
	}
	return out
}
