package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Journal keys recorded before work that must not be repeated blindly.
const (
	journalOperation = "operation"
	journalStep      = "step"
)

// Apply performs one change.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	api, err := p.api(ctx, req.Deployment)
	if err != nil {
		return nil, err
	}
	a := &applier{ctx: ctx, p: p, api: api, t: targetOf(req.Spec), req: req}
	c := req.Change
	typ := ""
	if c.After != nil {
		typ = c.After.Type
	} else {
		typ = c.Before.Type
	}
	var r *providers.Resource
	switch typ {
	case typeGroup:
		r, err = a.group()
	case typeParams:
		r, err = a.params()
	case typeSubnet:
		r, err = a.subnet()
	default:
		panic(fmt.Sprintf("aws: impossible resource type %q", typ))
	}
	if err != nil {
		return nil, err
	}
	return &providers.ApplyResponse{Resource: r}, nil
}

// applier carries what one Apply needs.
type applier struct {
	ctx context.Context
	p   *Provider
	api *elasticache.Client
	t   target
	req providers.ApplyRequest
}

func (a *applier) record(key, value string) error {
	if err := a.req.Record(key, value); err != nil {
		return fmt.Errorf("journal %s: %w", key, err)
	}
	return nil
}

func (a *applier) waitAvailable(ctx context.Context, id string) (*types.ReplicationGroup, error) {
	return a.p.waitAvailable(ctx, a.api, id, a.req.PollInterval, a.req.Progress)
}

// journalled returns what this change, or an interrupted earlier attempt
// of it, recorded under key.
func (a *applier) journalled(key string) string {
	if v := a.req.Journal[key]; v != "" {
		return v
	}
	if b := a.req.Change.Before; b != nil {
		return b.Private[key]
	}
	return ""
}

func (a *applier) group() (*providers.Resource, error) {
	c := a.req.Change
	switch c.Action {
	case providers.ActionCreate:
		return a.createGroup()
	case providers.ActionUpdate:
		return a.updateGroup()
	case providers.ActionReplace:
		if err := a.deleteGroup(*c.Before); err != nil {
			return nil, err
		}
		return a.createGroup()
	case providers.ActionDelete:
		return nil, a.deleteGroup(*c.Before)
	}
	panic(fmt.Sprintf("aws: impossible action %q", c.Action))
}

// tokenRules are ElastiCache's AUTH token rules, checked before any call so
// a bad password fails fast and without being echoed.
func checkToken(tok string) error {
	bad := len(tok) < 16 || len(tok) > 128
	for _, c := range tok {
		if c < 0x21 || c > 0x7e || strings.ContainsRune(`/"@%`, c) {
			bad = true
		}
	}
	if bad {
		return errors.New("auth.password does not meet ElastiCache's AUTH token rules: 16 to 128 printable ASCII characters, without spaces or any of / \" @ % (use auth.password: generate to have redisctl make one)")
	}
	return nil
}

func (a *applier) createGroup() (*providers.Resource, error) {
	ctx, t, req := a.ctx, a.t, a.req
	if pw := req.Secrets.Password; pw != "" {
		if err := checkToken(pw); err != nil {
			return nil, err
		}
	}
	g, err := describeGroup(ctx, a.api, t.id)
	if err != nil {
		return nil, err
	}
	if g != nil && aws.ToString(g.Status) == statusDeleting {
		req.Progress(fmt.Sprintf("replication group %s is still being deleted; waiting before creating it again", t.id))
		if err := a.p.waitDeleted(ctx, a.api, t.id, req.PollInterval, req.Progress); err != nil {
			return nil, err
		}
		g = nil
	}
	adopt := g != nil
	if g == nil {
		if pw := req.Secrets.Password; pw != "" {
			// A re-run after an interruption must know which token it set.
			if err := a.record(privAuthFingerprint, req.Fingerprint(pw)); err != nil {
				return nil, err
			}
		}
		if err := a.record(journalOperation, "CreateReplicationGroup"); err != nil {
			return nil, err
		}
		_, err := a.api.CreateReplicationGroup(ctx, a.createInput())
		var exists *types.ReplicationGroupAlreadyExistsFault
		switch {
		case errors.As(err, &exists):
			adopt = true
		case err != nil:
			return nil, explain("create replication group "+t.id, err)
		default:
			req.Progress("CreateReplicationGroup " + t.id + " accepted")
		}
	}
	if adopt {
		if err := a.checkAdopt(); err != nil {
			return nil, err
		}
	}
	if _, err := a.waitAvailable(ctx, t.id); err != nil {
		return nil, err
	}
	return a.finalGroup(*req.Change.After)
}

// checkAdopt makes sure an existing group of the deployment's ID is this
// deployment's (made by an interrupted earlier apply) before waiting on it.
func (a *applier) checkAdopt() error {
	g, err := describeGroup(a.ctx, a.api, a.t.id)
	if err != nil {
		return err
	}
	if g == nil {
		return fmt.Errorf("replication group %s vanished while redisctl adopted it", a.t.id)
	}
	tags, err := listTags(a.ctx, a.api, aws.ToString(g.ARN))
	if err != nil {
		return err
	}
	if err := checkOwner("replication group", a.t.id, tags, a.t); err != nil {
		return err
	}
	a.req.Progress(fmt.Sprintf("replication group %s exists (status %s; an interrupted apply made it); adopting it", a.t.id, aws.ToString(g.Status)))
	return nil
}

// finalGroup reads the group back as state records it.
func (a *applier) finalGroup(prior providers.Resource) (*providers.Resource, error) {
	ctx := a.ctx
	id := nameOf(prior, a.t.id)
	g, err := describeGroup(ctx, a.api, id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, fmt.Errorf("replication group %s not found after the change", id)
	}
	cc, tags, err := memberAndTags(ctx, a.api, g)
	if err != nil {
		return nil, err
	}
	prior.Private = nil // nothing pending any more
	r := groupResource(g, cc, tags, prior)
	if aws.ToBool(g.AuthTokenEnabled) {
		r.Attrs[attrAuth] = a.req.Fingerprint(a.req.Secrets.Password)
	}
	return &r, nil
}

func (a *applier) createInput() *elasticache.CreateReplicationGroupInput {
	t := a.t
	in := &elasticache.CreateReplicationGroupInput{
		ReplicationGroupId:          aws.String(t.id),
		ReplicationGroupDescription: aws.String("redisctl deployment " + t.spec.Name),
		Engine:                      aws.String(string(t.engine.Engine)),
		EngineVersion:               aws.String(t.engine.API),
		CacheNodeType:               aws.String(t.nodeType.Name),
		CacheParameterGroupName:     aws.String(t.paramGroup),
		Port:                        aws.Int32(int32(t.port)),
		AutomaticFailoverEnabled:    aws.Bool(t.failover),
		MultiAZEnabled:              aws.Bool(t.multiAZ),
		TransitEncryptionEnabled:    aws.Bool(t.transit),
		AtRestEncryptionEnabled:     aws.Bool(t.atRest),
		SnapshotRetentionLimit:      aws.Int32(int32(t.retention)),
		Tags:                        awsTags(t.tags),
	}
	if t.subnetGroup != "" {
		in.CacheSubnetGroupName = aws.String(t.subnetGroup)
	}
	in.SecurityGroupIds = t.settings.SecurityGroupIDs
	if pw := a.req.Secrets.Password; pw != "" {
		in.AuthToken = aws.String(pw)
	}
	if w := t.settings.SnapshotWindow; w != "" {
		in.SnapshotWindow = aws.String(w)
	}
	if w := t.settings.MaintenanceWindow; w != "" {
		in.PreferredMaintenanceWindow = aws.String(w)
	}
	nodes := a.req.Nodes
	zoned := len(t.spec.Zones) > 0 && nodes != nil
	if !t.cluster {
		in.NumCacheClusters = aws.Int32(int32(1 + t.replicas))
		if zoned {
			for _, n := range nodes.Nodes {
				if n.Role != topology.RoleSentinel {
					in.PreferredCacheClusterAZs = append(in.PreferredCacheClusterAZs, n.Zone)
				}
			}
		}
		return in
	}
	in.ClusterMode = types.ClusterModeEnabled
	in.NumNodeGroups = aws.Int32(int32(t.shards))
	in.ReplicasPerNodeGroup = aws.Int32(int32(t.replicas))
	if zoned {
		in.NodeGroupConfiguration = shardConfig(nodes, t.replicas)
	}
	return in
}

// shardConfig places each shard's nodes in the zones the layout planner chose.
func shardConfig(np *topology.NodePlan, replicas int) []types.NodeGroupConfiguration {
	var out []types.NodeGroupConfiguration
	for _, n := range np.Nodes {
		if n.Role != topology.RolePrimary {
			continue
		}
		var slots []string
		for _, s := range n.Slots {
			slots = append(slots, fmt.Sprintf("%d-%d", s.Start, s.End))
		}
		c := types.NodeGroupConfiguration{
			NodeGroupId:             aws.String(fmt.Sprintf("%04d", n.Shard+1)),
			PrimaryAvailabilityZone: aws.String(n.Zone),
			ReplicaCount:            aws.Int32(int32(replicas)),
			Slots:                   aws.String(strings.Join(slots, ",")),
		}
		for _, r := range np.Nodes {
			if r.Primary == n.Name {
				c.ReplicaAvailabilityZones = append(c.ReplicaAvailabilityZones, r.Zone)
			}
		}
		out = append(out, c)
	}
	return out
}

func awsTags(tags map[string]string) []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// updateGroup waits for the group to be available, then makes the calls
// that turn it into the desired group, each followed by a wait. The calls
// are worked out from the group as it is now, so an update interrupted half
// way continues with what is left.
func (a *applier) updateGroup() (*providers.Resource, error) {
	ctx, req := a.ctx, a.req
	before := *req.Change.Before
	id := nameOf(before, a.t.id)
	fp := ""
	if pw := req.Secrets.Password; pw != "" {
		if err := checkToken(pw); err != nil {
			return nil, err
		}
		fp = req.Fingerprint(pw)
	}
	g, err := a.waitAvailable(ctx, id)
	if err != nil {
		return nil, err
	}
	cc, tags, err := memberAndTags(ctx, a.api, g)
	if err != nil {
		return nil, err
	}
	live := groupResource(g, cc, tags, before)
	if v := a.journalled(privAuthRotated); v != "" {
		live.Private[privAuthRotated] = v
	}
	want := maps.Clone(req.Change.After.Attrs)
	want[attrAuth] = fp
	for _, s := range groupSteps(a.t, &live, want) {
		if err := a.runStep(ctx, g, &live, want, s); err != nil {
			return nil, err
		}
	}
	return a.finalGroup(*req.Change.After)
}

func stepName(k stepKind) string {
	return [...]string{"shards", "replicas-up", "engine", "node-type", "settings", "transit-on", "transit-required",
		"transit-preferred", "transit-off", "auth-rotate", "auth-set", "replicas-down", "tags", "wait"}[k]
}

// runStep makes one call and waits for the group to be available again.
func (a *applier) runStep(ctx context.Context, g *types.ReplicationGroup, live *providers.Resource, want map[string]string, s step) error {
	id := aws.ToString(g.ReplicationGroupId)
	switch s.kind {
	case stepWait:
		return nil
	case stepTags:
		return a.retag(ctx, aws.ToString(g.ARN), live.Attrs[attrTags], want[attrTags])
	}
	if err := a.record(journalStep, stepName(s.kind)); err != nil {
		return err
	}
	if s.kind == stepAuthRotate {
		// Recorded before the call: after an interruption, the re-run goes
		// straight to SET (and rotates again only if SET is refused).
		if err := a.record(privAuthRotated, want[attrAuth]); err != nil {
			return err
		}
	}
	a.req.Progress(strings.TrimSuffix(s.call, waitNote))
	call := func() error { return a.callStep(ctx, g, live, want, s) }
	err := a.retryState(ctx, id, call)
	var notRotated *types.InvalidParameterCombinationException
	if s.kind == stepAuthSet && errors.As(err, &notRotated) {
		a.req.Progress("SET refused (the earlier ROTATE never reached ElastiCache); rotating first")
		if err := a.runStep(ctx, g, live, want, step{kind: stepAuthRotate, call: "ModifyReplicationGroup(AuthToken=" + providers.SensitiveValue + ", AuthTokenUpdateStrategy=ROTATE)"}); err != nil {
			return err
		}
		err = a.retryState(ctx, id, call)
	}
	if err != nil {
		return stepErr("replication group step "+stepName(s.kind), err)
	}
	_, err = a.waitAvailable(ctx, id)
	return err
}

// retryState repeats a call that ElastiCache refused because the group was
// still busy (its status lags behind the previous call), after waiting.
func (a *applier) retryState(ctx context.Context, id string, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var busy *types.InvalidReplicationGroupStateFault
		if !errors.As(err, &busy) || attempt == 5 {
			return err
		}
		if _, err := a.waitAvailable(ctx, id); err != nil {
			return err
		}
	}
}

func (a *applier) callStep(ctx context.Context, g *types.ReplicationGroup, live *providers.Resource, want map[string]string, s step) error {
	id := aws.String(aws.ToString(g.ReplicationGroupId))
	replicas := aws.Int32(int32(atoi(want[attrReplicas])))
	var err error
	switch s.kind {
	case stepShards:
		in := &elasticache.ModifyReplicationGroupShardConfigurationInput{ReplicationGroupId: id, NodeGroupCount: aws.Int32(int32(atoi(want[attrShards]))), ApplyImmediately: aws.Bool(true)}
		in.NodeGroupsToRemove = shardsToRemove(g, atoi(want[attrShards]))
		_, err = a.api.ModifyReplicationGroupShardConfiguration(ctx, in)
		return err
	case stepReplicasUp:
		_, err = a.api.IncreaseReplicaCount(ctx, &elasticache.IncreaseReplicaCountInput{ReplicationGroupId: id, NewReplicaCount: replicas, ApplyImmediately: aws.Bool(true)})
		return err
	case stepReplicasDown:
		_, err = a.api.DecreaseReplicaCount(ctx, &elasticache.DecreaseReplicaCountInput{ReplicationGroupId: id, NewReplicaCount: replicas, ApplyImmediately: aws.Bool(true)})
		return err
	}
	in := &elasticache.ModifyReplicationGroupInput{ReplicationGroupId: id, ApplyImmediately: aws.Bool(true)}
	switch s.kind {
	case stepEngine:
		if want[attrEngine] != live.Attrs[attrEngine] {
			in.Engine = aws.String(want[attrEngine])
		}
		in.EngineVersion = aws.String(a.t.engine.API)
		if want[attrParamGroup] != live.Attrs[attrParamGroup] {
			in.CacheParameterGroupName = aws.String(want[attrParamGroup])
		}
		in.ApplyImmediately = aws.Bool(a.t.applyImmediately)
	case stepNodeType:
		in.CacheNodeType = aws.String(want[attrNodeType])
		in.ApplyImmediately = aws.Bool(a.t.applyImmediately)
	case stepSettings:
		a.settingsInput(in, live.Attrs, want)
	case stepTransitOn:
		in.TransitEncryptionEnabled, in.TransitEncryptionMode = aws.Bool(true), types.TransitEncryptionModePreferred
	case stepTransitRequired:
		in.TransitEncryptionMode = types.TransitEncryptionModeRequired
	case stepTransitPreferred:
		in.TransitEncryptionMode = types.TransitEncryptionModePreferred
	case stepTransitOff:
		in.TransitEncryptionEnabled = aws.Bool(false)
	case stepAuthRotate, stepAuthSet:
		in.AuthToken = aws.String(a.req.Secrets.Password)
		in.AuthTokenUpdateStrategy = types.AuthTokenUpdateStrategyTypeRotate
		if s.kind == stepAuthSet {
			in.AuthTokenUpdateStrategy = types.AuthTokenUpdateStrategyTypeSet
		}
	}
	_, err = a.api.ModifyReplicationGroup(ctx, in)
	return err
}

func stepErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return explain(what, err)
}

func (a *applier) settingsInput(in *elasticache.ModifyReplicationGroupInput, before, want map[string]string) {
	changed := func(k string) bool { v, ok := want[k]; return ok && v != before[k] }
	if changed(attrParamGroup) {
		in.CacheParameterGroupName = aws.String(want[attrParamGroup])
	}
	if changed(attrSecurityGroup) {
		in.SecurityGroupIds = strings.Split(want[attrSecurityGroup], ",")
	}
	if changed(attrFailover) {
		in.AutomaticFailoverEnabled = aws.Bool(want[attrFailover] == "enabled")
	}
	if changed(attrMultiAZ) {
		in.MultiAZEnabled = aws.Bool(want[attrMultiAZ] == "enabled")
	}
	if changed(attrRetention) {
		in.SnapshotRetentionLimit = aws.Int32(int32(atoi(want[attrRetention])))
	}
	if changed(attrSnapWindow) {
		in.SnapshotWindow = aws.String(want[attrSnapWindow])
	}
	if changed(attrMaintWindow) {
		in.PreferredMaintenanceWindow = aws.String(want[attrMaintWindow])
	}
}

// shardsToRemove names the highest node groups when shards are removed.
func shardsToRemove(g *types.ReplicationGroup, want int) []string {
	var ids []string
	for _, ng := range g.NodeGroups {
		ids = append(ids, aws.ToString(ng.NodeGroupId))
	}
	slices.Sort(ids)
	if want >= len(ids) {
		return nil
	}
	return ids[want:]
}

// retag sets and removes tags so a resource carries exactly want.
func (a *applier) retag(ctx context.Context, arn, have, want string) error {
	add, remove := tagDiff(have, want)
	if len(add) > 0 {
		if _, err := a.api.AddTagsToResource(ctx, &elasticache.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: awsTags(add)}); err != nil {
			return explain("tag "+arn, err)
		}
	}
	if len(remove) > 0 {
		if _, err := a.api.RemoveTagsFromResource(ctx, &elasticache.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: remove}); err != nil {
			return explain("untag "+arn, err)
		}
	}
	return nil
}

// deleteGroup deletes a replication group, with a final snapshot unless the
// spec turns it off, and waits until it is gone. A deletion already under
// way (an interrupted destroy) is waited for, not started again.
func (a *applier) deleteGroup(r providers.Resource) error {
	ctx, t, req := a.ctx, a.t, a.req
	id := nameOf(r, t.id)
	g, err := describeGroup(ctx, a.api, id)
	if err != nil || g == nil {
		return err
	}
	snap := a.journalled(privFinalSnapshot)
	if aws.ToString(g.Status) == statusDeleting {
		if snap != "" {
			req.Progress(fmt.Sprintf("deletion already under way; final snapshot %s", snap))
		}
	} else {
		if normalStatus(aws.ToString(g.Status)) != statusAvailable && aws.ToString(g.Status) != "create-failed" {
			if _, err := a.waitAvailable(ctx, id); err != nil {
				return err
			}
		}
		if snap, err = a.startDelete(ctx, id); err != nil {
			return err
		}
		switch {
		case snap != "":
			req.Progress(fmt.Sprintf("DeleteReplicationGroup %s accepted; final snapshot %s", id, snap))
		case t.finalSnapshot:
			return nil // it was gone already
		default:
			req.Progress(fmt.Sprintf("DeleteReplicationGroup %s accepted (no final snapshot: provider.finalSnapshot is false)", id))
		}
	}
	if err := a.p.waitDeleted(ctx, a.api, id, req.PollInterval, req.Progress); err != nil {
		return err
	}
	a.tagSnapshot(snap)
	return nil
}

// tagSnapshot tags the final snapshot with the deployment, so it can be
// found (and restored from, or cleaned up) later. Deletion already
// succeeded, so a failure here is only reported.
func (a *applier) tagSnapshot(name string) {
	if name == "" || !a.t.finalSnapshot {
		return
	}
	out, err := a.api.DescribeSnapshots(a.ctx, &elasticache.DescribeSnapshotsInput{SnapshotName: aws.String(name)})
	if err == nil && len(out.Snapshots) == 1 {
		_, err = a.api.AddTagsToResource(a.ctx, &elasticache.AddTagsToResourceInput{ResourceName: out.Snapshots[0].ARN, Tags: awsTags(a.t.tags)})
	}
	if err != nil {
		a.req.Progress(fmt.Sprintf("could not tag final snapshot %s: %v", name, err))
	}
}

// startDelete calls DeleteReplicationGroup, naming a final snapshot unless
// the spec turns it off; it returns the snapshot's name ("" for none, or
// when the group turned out to be gone already).
func (a *applier) startDelete(ctx context.Context, id string) (string, error) {
	base := fmt.Sprintf("%s-final-%s", id, time.Now().UTC().Format("20060102-150405"))
	for n := 1; ; n++ {
		in := &elasticache.DeleteReplicationGroupInput{ReplicationGroupId: aws.String(id)}
		snap := ""
		if a.t.finalSnapshot {
			snap = base
			if n > 1 {
				snap = fmt.Sprintf("%s-%d", base, n)
			}
			in.FinalSnapshotIdentifier = aws.String(snap)
			if err := a.record(privFinalSnapshot, snap); err != nil {
				return "", err
			}
		}
		if err := a.record(journalOperation, "DeleteReplicationGroup"); err != nil {
			return "", err
		}
		err := a.retryState(ctx, id, func() error {
			_, err := a.api.DeleteReplicationGroup(ctx, in)
			return err
		})
		var nf *types.ReplicationGroupNotFoundFault
		var taken *types.SnapshotAlreadyExistsFault
		switch {
		case err == nil:
			return snap, nil
		case errors.As(err, &nf):
			return "", nil
		case errors.As(err, &taken) && n < 10:
			continue // another deletion this second took the name
		}
		return "", explain("delete replication group "+id, err)
	}
}
