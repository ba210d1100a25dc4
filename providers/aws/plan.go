package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Private keys the aws provider keeps in state.
const (
	privName            = "name"             // the AWS name (group ID, parameter group name, subnet group name)
	privARN             = "arn"              // for tagging
	privAuthRotated     = "auth_rotated"     // fingerprint a ROTATE already added (SET still due)
	privFinalSnapshot   = "final_snapshot"   // the final snapshot a deletion takes
	privAuthFingerprint = "auth_fingerprint" // journal: the token an interrupted create set
)

const groupName = "main"

// Plan diffs the desired ElastiCache resources against the refreshed ones.
func (p *Provider) Plan(_ context.Context, req providers.PlanRequest) (*providers.PlanResponse, error) {
	t := targetOf(req.Spec)
	resp := &providers.PlanResponse{}
	if req.Destroy {
		for _, r := range req.Current {
			resp.Changes = append(resp.Changes, deleteChange(t, r, true))
		}
		if t.finalSnapshot {
			resp.Notes = append(resp.Notes, fmt.Sprintf("destroy takes a final snapshot of replication group %s (%s-final-<time>); set provider.finalSnapshot: false to skip it", t.id, t.id))
		}
		return resp, nil
	}
	current := map[string]providers.Resource{}
	for _, r := range req.Current {
		current[r.Address()] = r
	}
	wanted := map[string]bool{}
	for _, want := range desired(t, req.PasswordFingerprint) {
		wanted[want.Address()] = true
		var before *providers.Resource
		if cur, ok := current[want.Address()]; ok {
			before = &cur
		}
		w := want
		c := ruleSet.Diff(before, &w)
		if c == nil {
			continue
		}
		switch w.Type {
		case typeGroup:
			planGroup(t, c)
		case typeParams:
			c.Calls = paramCalls(t, c)
		case typeSubnet:
			c.Calls = subnetCalls(t, c)
		}
		c.DependsOn = w.DependsOn
		resp.Changes = append(resp.Changes, *c)
	}
	for _, r := range req.Current {
		if !wanted[r.Address()] {
			resp.Changes = append(resp.Changes, deleteChange(t, r, false))
		}
	}
	resp.Notes = notes(t)
	for _, c := range resp.Changes {
		if c.MaintenanceWindow {
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s: provider.applyImmediately is false, so the node type and engine version change waits for the maintenance window (%s)", c.Address, windowOr(t.settings.MaintenanceWindow)))
		}
	}
	return resp, nil
}

func windowOr(w string) string {
	if w == "" {
		return "the one ElastiCache chose"
	}
	return w
}

// desired builds the resources the spec asks for, in address order.
func desired(t target, passwordFP string) []providers.Resource {
	pg := providers.Resource{
		Type: typeParams, Name: t.paramGroup,
		Attrs: map[string]string{
			attrFamily:     t.engine.Family,
			attrClusterOn:  yesNo(t.cluster),
			attrPolicy:     string(t.spec.EvictionPolicy),
			attrParameters: providers.JoinPairs(t.settings.Parameters),
			attrTags:       providers.JoinPairs(t.tags),
		},
		Private: map[string]string{privName: t.paramGroup},
	}
	out := []providers.Resource{pg}
	group := providers.Resource{
		Type: typeGroup, Name: groupName,
		Attrs: map[string]string{
			attrID:          t.id,
			attrEngine:      string(t.engine.Engine),
			attrVersion:     t.engine.Version,
			attrNodeType:    t.nodeType.Name,
			attrClusterMode: enabled(t.cluster),
			attrShards:      strconv.Itoa(t.shards),
			attrReplicas:    strconv.Itoa(t.replicas),
			attrFailover:    enabled(t.failover),
			attrMultiAZ:     enabled(t.multiAZ),
			attrParamGroup:  t.paramGroup,
			attrPort:        strconv.Itoa(t.port),
			attrTransit:     strconv.FormatBool(t.transit),
			attrAtRest:      strconv.FormatBool(t.atRest),
			attrAuth:        passwordFP,
			attrRetention:   strconv.Itoa(t.retention),
			attrTags:        providers.JoinPairs(t.tags),
			attrStatus:      statusAvailable,
		},
		Private:   map[string]string{privName: t.id},
		DependsOn: []string{pg.Address()},
	}
	// Settings left to ElastiCache are not managed, so what it picks is no diff.
	if t.subnetGroup != "" {
		group.Attrs[attrSubnetGroup] = t.subnetGroup
	}
	if len(t.settings.SecurityGroupIDs) > 0 {
		group.Attrs[attrSecurityGroup] = sortedJoin(t.settings.SecurityGroupIDs)
	}
	if t.settings.SnapshotWindow != "" {
		group.Attrs[attrSnapWindow] = t.settings.SnapshotWindow
	}
	if t.settings.MaintenanceWindow != "" {
		group.Attrs[attrMaintWindow] = t.settings.MaintenanceWindow
	}
	if t.ownSubnets {
		sn := providers.Resource{
			Type: typeSubnet, Name: t.subnetGroup,
			Attrs:   map[string]string{attrSubnets: sortedJoin(t.settings.SubnetIDs), attrTags: providers.JoinPairs(t.tags)},
			Private: map[string]string{privName: t.subnetGroup},
		}
		group.DependsOn = append(group.DependsOn, sn.Address())
		out = append(out, sn)
	}
	out = append(out, group)
	slices.SortFunc(out, func(a, b providers.Resource) int { return strings.Compare(a.Address(), b.Address()) })
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// planGroup settles what a replication group change does: impacts that
// depend on the direction of a change, and the API calls it takes.
func planGroup(t target, c *providers.Change) {
	if c.Before != nil && c.Before.Attrs[attrStatus] == statusDeleting {
		c.Action, c.Impact = providers.ActionReplace, providers.ImpactDataLoss
		c.Reason = "being deleted (outside redisctl); it is created again once the deletion finishes"
		c.Calls = append([]string{"DescribeReplicationGroups, until it is gone"}, createCalls(t, c.After)...)
		return
	}
	if c.Before != nil {
		for i := range c.Attrs {
			classify(&c.Attrs[i], c.Before.Attrs, c.After.Attrs)
		}
		c.Settle()
	}
	switch c.Action {
	case providers.ActionCreate:
		c.Calls = createCalls(t, c.After)
	case providers.ActionReplace:
		c.Impact = providers.ImpactDataLoss
		c.Reason += "; the replication group is deleted and created again, so its data is lost"
		if t.finalSnapshot {
			c.Reason += " (a final snapshot keeps a copy)"
		}
		c.Calls = append(deleteCalls(t, *c.Before), createCalls(t, c.After)...)
	case providers.ActionUpdate:
		steps := groupSteps(t, c.Before, c.After.Attrs)
		for _, s := range steps {
			c.Calls = append(c.Calls, s.call)
			if s.deferred {
				c.MaintenanceWindow = true
			}
		}
		if only(c.Attrs, attrStatus) {
			c.Reason = fmt.Sprintf("still %s (an interrupted apply, or a change made elsewhere): wait until it is available", c.Before.Attrs[attrStatus])
		}
	}
}

func only(attrs []providers.AttrChange, name string) bool {
	return len(attrs) == 1 && attrs[0].Name == name
}

// classify adjusts an attribute change whose mode depends on its direction.
func classify(a *providers.AttrChange, before, after map[string]string) {
	replace := func() { a.Mode, a.Impact = providers.Replace, providers.ImpactDataLoss }
	switch a.Name {
	case attrEngine:
		if a.Before == string(topology.EngineValkey) && a.After == string(topology.EngineRedis) {
			replace()
		}
	case attrVersion:
		if compareVersions(before[attrEngine], a.Before, after[attrEngine], a.After) > 0 {
			replace()
		}
	case attrTransit:
		engine, version := before[attrEngine], before[attrVersion]
		if compareVersions(engine, version, after[attrEngine], after[attrVersion]) < 0 {
			engine, version = after[attrEngine], after[attrVersion] // upgraded first, in the same change
		}
		if !transitInPlace(engine, version) {
			replace()
		}
	case attrAuth:
		if a.After == "" && a.Before != "" {
			replace()
		}
	case attrReplicas:
		if replicaMax(a.Before) > atoi(a.After) {
			a.Impact = providers.ImpactReconnect
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// replicaMax reads a replicas attribute: one count, or one per shard
// ("1,2,1") when the shards differ.
func replicaMax(s string) int {
	m := 0
	for _, f := range strings.Split(s, ",") {
		m = max(m, atoi(f))
	}
	return m
}

func replicaMin(s string) int {
	m := -1
	for _, f := range strings.Split(s, ",") {
		if n := atoi(f); m < 0 || n < m {
			m = n
		}
	}
	return max(m, 0)
}

// createCalls describes CreateReplicationGroup for a plan.
func createCalls(t target, want *providers.Resource) []string {
	a := want.Attrs
	args := []string{"ReplicationGroupId=" + t.id, "Engine=" + a[attrEngine], "EngineVersion=" + t.engine.API, "CacheNodeType=" + a[attrNodeType]}
	if t.cluster {
		args = append(args, "ClusterMode=enabled", "NumNodeGroups="+a[attrShards], "ReplicasPerNodeGroup="+a[attrReplicas])
	} else {
		args = append(args, fmt.Sprintf("NumCacheClusters=%d", 1+t.replicas))
	}
	args = append(args, "AutomaticFailoverEnabled="+strconv.FormatBool(t.failover), "MultiAZEnabled="+strconv.FormatBool(t.multiAZ),
		"CacheParameterGroupName="+t.paramGroup, "Port="+a[attrPort], "TransitEncryptionEnabled="+a[attrTransit], "AtRestEncryptionEnabled="+a[attrAtRest])
	if t.subnetGroup != "" {
		args = append(args, "CacheSubnetGroupName="+t.subnetGroup)
	}
	if ids := a[attrSecurityGroup]; ids != "" {
		args = append(args, "SecurityGroupIds=["+ids+"]")
	}
	if a[attrAuth] != "" {
		args = append(args, "AuthToken="+providers.SensitiveValue)
	}
	args = append(args, "SnapshotRetentionLimit="+a[attrRetention])
	if w := a[attrSnapWindow]; w != "" {
		args = append(args, "SnapshotWindow="+w)
	}
	if w := a[attrMaintWindow]; w != "" {
		args = append(args, "PreferredMaintenanceWindow="+w)
	}
	args = append(args, "Tags=["+a[attrTags]+"]")
	return []string{"CreateReplicationGroup(" + strings.Join(args, ", ") + "), then wait until available"}
}

func deleteCalls(t target, r providers.Resource) []string {
	id := r.Private[privName]
	if id == "" {
		id = t.id
	}
	if !t.finalSnapshot {
		return []string{fmt.Sprintf("DeleteReplicationGroup(ReplicationGroupId=%s), then wait until deleted", id)}
	}
	return []string{fmt.Sprintf("DeleteReplicationGroup(ReplicationGroupId=%s, FinalSnapshotIdentifier=%s-final-<time>), then wait until deleted", id, id)}
}

// deleteChange removes a resource. The parameter and subnet groups go after
// the replication group that uses them.
func deleteChange(t target, r providers.Resource, destroy bool) providers.Change {
	c := ruleSet.Diff(&r, nil)
	c.Impact = providers.ImpactMetadata
	name := r.Private[privName]
	switch r.Type {
	case typeGroup:
		c.Impact = providers.ImpactDataLoss
		c.Reason = "no longer in the spec: the replication group and its data are deleted"
		if destroy {
			c.Reason = "destroy: the replication group and its data are deleted"
		}
		if t.finalSnapshot {
			c.Reason += "; a final snapshot keeps a copy"
		}
		c.Calls = deleteCalls(t, r)
	case typeParams:
		c.DependsOn = []string{typeGroup + "." + groupName}
		c.Calls = []string{"DeleteCacheParameterGroup(CacheParameterGroupName=" + name + ")"}
	case typeSubnet:
		c.DependsOn = []string{typeGroup + "." + groupName}
		c.Calls = []string{"DeleteCacheSubnetGroup(CacheSubnetGroupName=" + name + ")"}
	}
	if destroy && r.Type != typeGroup {
		c.Reason = "destroy"
	}
	return *c
}

func paramCalls(t target, c *providers.Change) []string {
	var calls []string
	if c.Action == providers.ActionCreate {
		calls = append(calls, fmt.Sprintf("CreateCacheParameterGroup(CacheParameterGroupName=%s, CacheParameterGroupFamily=%s, Tags=[%s])", t.paramGroup, t.engine.Family, c.After.Attrs[attrTags]))
	}
	if sets := parameterChanges(t, c); len(sets) > 0 {
		calls = append(calls, fmt.Sprintf("ModifyCacheParameterGroup(CacheParameterGroupName=%s, %s)", t.paramGroup, strings.Join(sets, ", ")))
	}
	if c.Action == providers.ActionUpdate {
		calls = append(calls, tagCalls(c)...)
	}
	return calls
}

// parameterChanges lists name=value for each parameter a change sets.
func parameterChanges(t target, c *providers.Change) []string {
	var before map[string]string
	if c.Before != nil && c.Action != providers.ActionReplace {
		before = providers.SplitPairs(c.Before.Attrs[attrParameters])
		before["maxmemory-policy"] = c.Before.Attrs[attrPolicy]
		before["cluster-enabled"] = c.Before.Attrs[attrClusterOn]
	}
	want := map[string]string{"maxmemory-policy": string(t.spec.EvictionPolicy)}
	if t.cluster {
		want["cluster-enabled"] = "yes"
	}
	maps.Copy(want, t.settings.Parameters)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := before[k]; !ok || v != want[k] {
			out = append(out, k+"="+want[k])
		}
	}
	return out
}

func subnetCalls(t target, c *providers.Change) []string {
	ids := c.After.Attrs[attrSubnets]
	switch c.Action {
	case providers.ActionCreate:
		return []string{fmt.Sprintf("CreateCacheSubnetGroup(CacheSubnetGroupName=%s, SubnetIds=[%s], Tags=[%s])", t.subnetGroup, ids, c.After.Attrs[attrTags])}
	}
	var calls []string
	if c.Before.Attrs[attrSubnets] != ids {
		calls = append(calls, fmt.Sprintf("ModifyCacheSubnetGroup(CacheSubnetGroupName=%s, SubnetIds=[%s])", t.subnetGroup, ids))
	}
	return append(calls, tagCalls(c)...)
}

// tagCalls describes the tag changes of an update.
func tagCalls(c *providers.Change) []string {
	add, remove := tagDiff(c.Before.Attrs[attrTags], c.After.Attrs[attrTags])
	var calls []string
	if len(add) > 0 {
		calls = append(calls, "AddTagsToResource(Tags=["+providers.JoinPairs(add)+"])")
	}
	if len(remove) > 0 {
		calls = append(calls, "RemoveTagsFromResource(TagKeys=["+strings.Join(remove, ",")+"])")
	}
	return calls
}

// tagDiff returns the tags to set and the keys to remove.
func tagDiff(before, after string) (map[string]string, []string) {
	b, a := providers.SplitPairs(before), providers.SplitPairs(after)
	add := map[string]string{}
	for k, v := range a {
		if old, ok := b[k]; !ok || old != v {
			add[k] = v
		}
	}
	var remove []string
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			remove = append(remove, k)
		}
	}
	return add, remove
}

// notes explain how the spec maps onto ElastiCache.
func notes(t target) []string {
	spec := t.spec
	var layout string
	switch spec.Layout {
	case topology.LayoutSingle:
		layout = fmt.Sprintf("single → ElastiCache replication group %s with one node (NumCacheClusters=1), no automatic failover", t.id)
	case topology.LayoutHA:
		layout = fmt.Sprintf("ha, replicas: %d → ElastiCache replication group %s: NumCacheClusters=%d, AutomaticFailoverEnabled, MultiAZ (ElastiCache fails over itself; the %d sentinels are not deployed)", spec.Replicas, t.id, 1+spec.Replicas, spec.Sentinels)
	case topology.LayoutCluster:
		layout = fmt.Sprintf("cluster, shards: %d, replicas: %d → ElastiCache cluster-mode-enabled replication group %s: NumNodeGroups=%d, ReplicasPerNodeGroup=%d", spec.Shards, spec.Replicas, t.id, t.shards, t.replicas)
	}
	out := []string{layout}
	if t.settings.NodeType == "" {
		out = append(out, fmt.Sprintf("memory %s → node type %s (%s per node)", spec.Memory, t.nodeType.Name, gib(t.nodeType)))
	}
	out = append(out, fmt.Sprintf("engine %s %s, evictionPolicy %s → parameter group %s (family %s)", t.engine.Engine, t.engine.Version, spec.EvictionPolicy, t.paramGroup, t.engine.Family))
	if t.retention > 0 {
		out = append(out, fmt.Sprintf("persistence rdb → automatic snapshots kept %d days", t.retention))
	}
	return out
}
