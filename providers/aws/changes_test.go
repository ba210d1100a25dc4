package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
)

const (
	password1 = "first-Password-0123456789"
	password2 = "second-Password-9876543210"
	groupAddr = "aws_replication_group.main"
)

func TestEngineChanges(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	base := spec(`version: "7.1"`, `version: "7.0"`)
	h.MustApply(base, true)
	h.ExpectClean(base)

	// 7.0 → 7.1: an upgrade in place, node by node.
	up := spec()
	c := providertest.Change(t, h.Plan(up), groupAddr)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactRollingFailover {
		t.Errorf("7.0 → 7.1: %s (%s)", c.Action, c.Impact)
	}
	h.MustApply(up, true)
	if g, _ := h.f.Group("unit"); g.EngineVersion != "7.1.0" {
		t.Errorf("engine version %s after upgrade", g.EngineVersion)
	}
	h.ExpectClean(up)

	// 7.1 → 7.0: ElastiCache cannot downgrade: replace, data-loss.
	c = providertest.Change(t, h.Plan(base), groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || attr(c, attrVersion).Mode != providers.Replace {
		t.Errorf("7.1 → 7.0: %s (%s) %+v", c.Action, c.Impact, c.Attrs)
	}

	// Redis OSS 7.1 → Valkey 8.0: in place, with a parameter group of the new family.
	valkey := spec("name: redis\n", "name: valkey\n", `version: "7.1"`, `version: "8.0"`)
	p := h.Plan(valkey)
	c = providertest.Change(t, p, groupAddr)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactRollingFailover {
		t.Errorf("redis → valkey: %s (%s)", c.Action, c.Impact)
	}
	if len(c.Calls) != 1 || !strings.Contains(c.Calls[0], "Engine=valkey, EngineVersion=8.0, CacheParameterGroupName=unit-valkey8") {
		t.Errorf("redis → valkey calls: %v", c.Calls)
	}
	if pc := providertest.Change(t, p, "aws_parameter_group.unit-valkey8"); pc.Action != providers.ActionCreate {
		t.Errorf("new family's parameter group: %s", pc.Action)
	}
	if pc := providertest.Change(t, p, "aws_parameter_group.unit-redis7"); pc.Action != providers.ActionDelete || !slices.Contains(pc.DependsOn, groupAddr) {
		t.Errorf("old parameter group: %s after %v", pc.Action, pc.DependsOn)
	}
	h.MustApply(valkey, true)
	g, _ := h.f.Group("unit")
	if g.Engine != "valkey" || g.ParameterGroup != "unit-valkey8" {
		t.Errorf("after the engine change: %s %s %s", g.Engine, g.EngineVersion, g.ParameterGroup)
	}
	if pgs := h.f.ParameterGroups(); !slices.Equal(pgs, []string{"unit-valkey8"}) {
		t.Errorf("parameter groups %v", pgs)
	}
	h.ExpectClean(valkey)

	// Valkey → Redis OSS is not possible in place.
	c = providertest.Change(t, h.Plan(up), groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || attr(c, attrEngine).Mode != providers.Replace {
		t.Errorf("valkey → redis: %s (%s)", c.Action, c.Impact)
	}
	h.MustDestroy(valkey)
}

func TestEncryptionChanges(t *testing.T) {
	h := newHarness(t)
	noTLS := spec("auth:\n  password: env:UNIT_PASSWORD\n", "", "tls:\n  enabled: true\n", "")
	h.MustApply(noTLS, true)
	h.ExpectClean(noTLS)

	// TLS on Redis OSS 7.1: in place in two steps; clients must move to TLS.
	withTLS := spec("auth:\n  password: env:UNIT_PASSWORD\n", "")
	c := providertest.Change(t, h.Plan(withTLS), groupAddr)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactReconnect {
		t.Errorf("tls on: %s (%s)", c.Action, c.Impact)
	}
	if len(c.Calls) != 2 || !strings.Contains(c.Calls[0], "TransitEncryptionMode=preferred") || !strings.Contains(c.Calls[1], "TransitEncryptionMode=required") {
		t.Errorf("tls on calls: %v", c.Calls)
	}
	h.MustApply(withTLS, true)
	if g, _ := h.f.Group("unit"); !g.TransitEncryption || g.TransitMode != "required" {
		t.Errorf("after tls on: enabled %v mode %q", g.TransitEncryption, g.TransitMode)
	}
	h.ExpectClean(withTLS)

	// Adding an AUTH token: ROTATE then SET.
	t.Setenv("UNIT_PASSWORD", password1)
	mark := len(h.f.Actions())
	c = providertest.Change(t, h.Plan(spec()), groupAddr)
	if c.Impact != providers.ImpactReconnect || len(c.Calls) != 2 || !strings.Contains(c.Calls[0], "ROTATE") || !strings.Contains(c.Calls[1], "SET") {
		t.Errorf("auth on: %s %v", c.Impact, c.Calls)
	}
	h.MustApply(spec(), true)
	if g, _ := h.f.Group("unit"); !slices.Equal(g.AuthTokens, []string{password1}) {
		t.Error("the group does not take exactly the new token")
	}
	if got := actionsSince(h.f, mark); !slices.Equal(got, []string{"ModifyReplicationGroup", "ModifyReplicationGroup"}) {
		t.Errorf("auth on calls %v", got)
	}
	h.ExpectClean(spec())

	// Rotating it.
	t.Setenv("UNIT_PASSWORD", password2)
	c = providertest.Change(t, h.Plan(spec()), groupAddr)
	if a := attr(c, attrAuth); c.Action != providers.ActionUpdate || a == nil || !a.Sensitive || a.Before == a.After {
		t.Errorf("rotation: %s %+v", c.Action, c.Attrs)
	}
	h.MustApply(spec(), true)
	if g, _ := h.f.Group("unit"); !slices.Equal(g.AuthTokens, []string{password2}) {
		t.Error("after rotation the group does not take exactly the new token")
	}
	h.ExpectClean(spec())
	if strings.Contains(h.Progress.String(), password1) || strings.Contains(h.Progress.String(), password2) {
		t.Error("progress shows a password")
	}

	// Removing the token cannot be done in place.
	c = providertest.Change(t, h.Plan(noTLS), groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || attr(c, attrAuth).Mode != providers.Replace {
		t.Errorf("auth off: %s (%s)", c.Action, c.Impact)
	}

	// Encryption at rest is fixed at creation.
	c = providertest.Change(t, h.Plan(spec("name: aws\n", "name: aws\n  atRestEncryption: false\n")), groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || !strings.Contains(c.Reason, "at_rest_encryption") {
		t.Errorf("at rest off: %s (%s) %s", c.Action, c.Impact, c.Reason)
	}
	h.MustDestroy(spec())
}

func TestTLSOnOlderEngineReplaces(t *testing.T) {
	h := newHarness(t)
	old := spec("auth:\n  password: env:UNIT_PASSWORD\n", "", "tls:\n  enabled: true\n", "", `version: "7.1"`, `version: "6.2"`)
	h.MustApply(old, true)
	withTLS := spec("auth:\n  password: env:UNIT_PASSWORD\n", "", `version: "7.1"`, `version: "6.2"`)
	c := providertest.Change(t, h.Plan(withTLS), groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || attr(c, attrTransit).Mode != providers.Replace {
		t.Errorf("tls on 6.2: %s (%s)", c.Action, c.Impact)
	}
	// Upgrading to 7.1 in the same change turns TLS on in place after the upgrade.
	upgraded := spec("auth:\n  password: env:UNIT_PASSWORD\n", "")
	c = providertest.Change(t, h.Plan(upgraded), groupAddr)
	if c.Action != providers.ActionUpdate || len(c.Calls) != 3 || !strings.Contains(c.Calls[0], "EngineVersion=7.1") {
		t.Errorf("upgrade and tls: %s %v", c.Action, c.Calls)
	}
	h.MustApply(upgraded, true)
	h.ExpectClean(upgraded)
	h.MustDestroy(upgraded)
}

func TestLayoutChangesInOrder(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	h.MustApply(spec(), true)

	// single → ha: replicas first (failover needs one), then failover and Multi-AZ.
	ha := spec("layout: single", "layout: ha\nreplicas: 2")
	mark := len(h.f.Actions())
	h.MustApply(ha, true)
	if got := actionsSince(h.f, mark); !slices.Equal(got, []string{"IncreaseReplicaCount", "ModifyReplicationGroup"}) {
		t.Errorf("single → ha calls %v", got)
	}
	h.ExpectClean(ha)

	// ha → single: failover off first, then the replicas go.
	mark = len(h.f.Actions())
	c := providertest.Change(t, h.Plan(spec()), groupAddr)
	if c.Impact != providers.ImpactReconnect {
		t.Errorf("ha → single impact %s", c.Impact)
	}
	h.MustApply(spec(), true)
	if got := actionsSince(h.f, mark); !slices.Equal(got, []string{"ModifyReplicationGroup", "DecreaseReplicaCount"}) {
		t.Errorf("ha → single calls %v", got)
	}
	if g, _ := h.f.Group("unit"); g.AutomaticFailover || g.MultiAZ || g.Shards[0].Replicas != 0 {
		t.Errorf("after ha → single: %+v", g)
	}
	h.ExpectClean(spec())
	h.MustDestroy(spec())
}

func TestClusterChangesInOrder(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	cluster := spec("layout: single", "layout: cluster\nshards: 2\nreplicas: 1")
	h.MustApply(cluster, true)
	h.ExpectClean(cluster)

	// More shards, more replicas, a bigger node type and a new token at once:
	// shards, then replicas, then the node type, then the token.
	t.Setenv("UNIT_PASSWORD", password2)
	bigger := spec("layout: single", "layout: cluster\nshards: 4\nreplicas: 2", "memory: 512Mi", "memory: 1Gi")
	mark := len(h.f.Actions())
	p := h.MustApply(bigger, true)
	c := providertest.Change(t, p, groupAddr)
	want := []string{"ModifyReplicationGroupShardConfiguration", "IncreaseReplicaCount", "ModifyReplicationGroup", "ModifyReplicationGroup", "ModifyReplicationGroup"}
	if got := actionsSince(h.f, mark); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	if len(c.Calls) != len(want) || !strings.Contains(c.Calls[2], "CacheNodeType=cache.t4g.small") {
		t.Errorf("planned calls %v", c.Calls)
	}
	g, _ := h.f.Group("unit")
	if len(g.Shards) != 4 || g.Shards[3].Replicas != 2 || g.NodeType != "cache.t4g.small" || !slices.Equal(g.AuthTokens, []string{password2}) {
		t.Errorf("after the change: %d shards, %d replicas, %s", len(g.Shards), g.Shards[3].Replicas, g.NodeType)
	}
	h.ExpectClean(bigger)

	// Fewer shards: the highest node groups go; fewer replicas: last of all.
	smaller := spec("layout: single", "layout: cluster\nshards: 3\nreplicas: 1", "memory: 512Mi", "memory: 1Gi")
	mark = len(h.f.Actions())
	h.MustApply(smaller, true)
	if got := actionsSince(h.f, mark); !slices.Equal(got, []string{"ModifyReplicationGroupShardConfiguration", "DecreaseReplicaCount"}) {
		t.Errorf("smaller calls %v", got)
	}
	var removed []string
	for _, r := range h.f.Requests() {
		if r.Action == "ModifyReplicationGroupShardConfiguration" && r.Params.Get("NodeGroupCount") == "3" {
			removed = append(removed, r.Params.Get("NodeGroupsToRemove.NodeGroupToRemove.1"))
		}
	}
	if !slices.Equal(removed, []string{"0004"}) {
		t.Errorf("node groups removed %v, want [0004]", removed)
	}
	h.ExpectClean(smaller)
	h.MustDestroy(smaller)
}

func TestSettingsInPlace(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	h.MustApply(spec(), true)
	edited := spec(
		"name: unit\n", "name: unit\nlabels:\n  team: web\n",
		"memory: 512Mi", "memory: 512Mi\npersistence:\n  mode: rdb",
		"name: aws\n", "name: aws\n  snapshotRetentionDays: 3\n  snapshotWindow: \"02:00-03:00\"\n  maintenanceWindow: \"mon:01:00-mon:02:00\"\n  securityGroupIds: [sg-0abc]\n  parameters:\n    notify-keyspace-events: Ex\n",
	)
	p := h.Plan(edited)
	c := providertest.Change(t, p, groupAddr)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactOnline {
		t.Errorf("settings: %s (%s)", c.Action, c.Impact)
	}
	for name, impact := range map[string]providers.Impact{attrRetention: providers.ImpactOnline, attrSnapWindow: providers.ImpactMetadata, attrMaintWindow: providers.ImpactMetadata, attrTags: providers.ImpactMetadata, attrSecurityGroup: providers.ImpactOnline} {
		if a := attr(c, name); a == nil || a.Impact != impact || a.Mode != providers.InPlace {
			t.Errorf("%s: %+v", name, a)
		}
	}
	if pc := providertest.Change(t, p, "aws_parameter_group.unit-redis7"); pc.Impact != providers.ImpactOnline || !strings.Contains(strings.Join(pc.Calls, " "), "notify-keyspace-events=Ex") {
		t.Errorf("parameter group: %s %v", pc.Impact, pc.Calls)
	}
	h.MustApply(edited, true)
	g, _ := h.f.Group("unit")
	if g.SnapshotRetention != 3 || g.SnapshotWindow != "02:00-03:00" || g.MaintenanceWindow != "mon:01:00-mon:02:00" || !slices.Equal(g.SecurityGroupIDs, []string{"sg-0abc"}) {
		t.Errorf("group after settings: %+v", g)
	}
	if tags := h.f.Tags(g.ARN); tags["team"] != "web" || tags[tagDeployment] != "unit" {
		t.Errorf("tags %v", tags)
	}
	h.ExpectClean(edited)

	// Labels only: metadata.
	relabeled := strings.Replace(edited, "team: web", "team: api", 1)
	if p := h.Plan(relabeled); p.Summary().Impact != providers.ImpactMetadata {
		t.Errorf("relabel impact %s", p.Summary().Impact)
	}
	h.MustApply(relabeled, true)
	h.ExpectClean(relabeled)
	h.MustDestroy(relabeled)
}

func TestSubnetGroup(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	s1 := spec("name: aws\n", "name: aws\n  subnetIds: [subnet-0a, subnet-0b]\n")
	p := h.MustApply(s1, true)
	if c := providertest.Change(t, p, groupAddr); !slices.Contains(c.DependsOn, "aws_subnet_group.unit") {
		t.Errorf("group does not wait for its subnet group: %v", c.DependsOn)
	}
	if g, _ := h.f.Group("unit"); g.SubnetGroup != "unit" {
		t.Errorf("subnet group %q", g.SubnetGroup)
	}
	h.ExpectClean(s1)
	s2 := spec("name: aws\n", "name: aws\n  subnetIds: [subnet-0c, subnet-0a]\n")
	if c := providertest.Change(t, h.Plan(s2), "aws_subnet_group.unit"); c.Action != providers.ActionUpdate || c.Impact != providers.ImpactOnline {
		t.Errorf("subnets: %s (%s)", c.Action, c.Impact)
	}
	h.MustApply(s2, true)
	h.ExpectClean(s2)
	// Moving to another subnet group replaces the replication group.
	s3 := spec("name: aws\n", "name: aws\n  subnetGroup: shared\n")
	if c := providertest.Change(t, h.Plan(s3), groupAddr); c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss {
		t.Errorf("other subnet group: %s (%s)", c.Action, c.Impact)
	}
	h.MustDestroy(s2)
	if sg := h.f.SubnetGroups(); len(sg) != 0 {
		t.Errorf("subnet groups left: %v", sg)
	}
}

func TestMaintenanceWindowDeferral(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	deferred := spec("name: aws\n", "name: aws\n  applyImmediately: false\n")
	h.MustApply(deferred, true)
	bigger := spec("name: aws\n", "name: aws\n  applyImmediately: false\n", "memory: 512Mi", "memory: 1Gi")
	p := h.Plan(bigger)
	c := providertest.Change(t, p, groupAddr)
	if !c.MaintenanceWindow || !strings.Contains(c.Calls[0], "ApplyImmediately=false") || len(p.Warnings) == 0 {
		t.Errorf("deferred change: window %v calls %v warnings %v", c.MaintenanceWindow, c.Calls, p.Warnings)
	}
	if jc := plan.ToJSON(p).Changes; len(jc) != 1 || !jc[0].MaintenanceWindow || len(jc[0].Calls) != 1 {
		t.Errorf("JSON view of the deferred change: %+v", jc)
	}
	h.MustApply(bigger, true)
	g, _ := h.f.Group("unit")
	if g.NodeType != "cache.t4g.micro" || g.PendingNodeType != "cache.t4g.small" {
		t.Errorf("node type %s, pending %s", g.NodeType, g.PendingNodeType)
	}
	h.ExpectClean(bigger) // asked for already: no diff while it waits
	h.f.ApplyMaintenance("unit")
	h.ExpectClean(bigger)
	h.MustDestroy(bigger)
}

func TestZonesPlacement(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	ha := spec("layout: single", "layout: ha\nreplicas: 2\nzones: [us-east-1a, us-east-1b, us-east-1c]")
	h.MustApply(ha, true)
	if g, _ := h.f.Group("unit"); !slices.Equal(g.Shards[0].AZs, []string{"us-east-1a", "us-east-1b", "us-east-1c"}) {
		t.Errorf("ha zones %v", g.Shards[0].AZs)
	}
	h.ExpectClean(ha)
	h.MustDestroy(ha)

	cluster := spec("layout: single", "layout: cluster\nshards: 2\nreplicas: 1\nzones: [us-east-1a, us-east-1b]")
	h.MustApply(cluster, true)
	g, _ := h.f.Group("unit")
	if !slices.Equal(g.Shards[0].AZs, []string{"us-east-1a", "us-east-1b"}) || !slices.Equal(g.Shards[1].AZs, []string{"us-east-1b", "us-east-1a"}) {
		t.Errorf("cluster zones %v / %v", g.Shards[0].AZs, g.Shards[1].AZs)
	}
	if g.Shards[0].Slots != "0-8191" || g.Shards[1].Slots != "8192-16383" {
		t.Errorf("slots %s / %s", g.Shards[0].Slots, g.Shards[1].Slots)
	}
	h.ExpectClean(cluster)
	h.MustDestroy(cluster)
}

func TestRenames(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	subnets := "name: aws\n  subnetIds: [subnet-0a]\n"
	base := spec("name: aws\n", subnets)
	h.MustApply(base, true)

	// Another parameter group name: a new group, the replication group moves to it online.
	renamed := spec("name: aws\n", subnets+"  parameterGroupName: unit-params\n")
	p := h.Plan(renamed)
	if c := providertest.Change(t, p, groupAddr); c.Action != providers.ActionUpdate || c.Impact != providers.ImpactOnline {
		t.Errorf("parameter group rename: %s (%s)", c.Action, c.Impact)
	}
	if c := providertest.Change(t, p, "aws_parameter_group.unit-params"); c.Action != providers.ActionCreate {
		t.Errorf("new parameter group: %s", c.Action)
	}
	h.MustApply(renamed, true)
	if pgs := h.f.ParameterGroups(); !slices.Equal(pgs, []string{"unit-params"}) {
		t.Errorf("parameter groups %v", pgs)
	}
	h.ExpectClean(renamed)

	// Another replication group ID: a new group (data-loss), with its own subnet group.
	moved := spec("name: aws\n", subnets+"  replicationGroupId: unit2\n")
	p = h.Plan(moved)
	c := providertest.Change(t, p, groupAddr)
	if c.Action != providers.ActionReplace || c.Impact != providers.ImpactDataLoss || attr(c, attrID) == nil {
		t.Errorf("new ID: %s (%s)", c.Action, c.Impact)
	}
	if !slices.Contains(c.DependsOn, "aws_subnet_group.unit2") || !slices.Contains(c.DependsOn, "aws_parameter_group.unit2-redis7") {
		t.Errorf("new group waits for %v", c.DependsOn)
	}
	h.MustApply(moved, true)
	if g := h.f.Groups(); !slices.Equal(g, []string{"unit2"}) {
		t.Errorf("groups %v", g)
	}
	if sg := h.f.SubnetGroups(); !slices.Equal(sg, []string{"unit2"}) {
		t.Errorf("subnet groups %v", sg)
	}
	h.ExpectClean(moved)
	h.MustDestroy(moved)
}
