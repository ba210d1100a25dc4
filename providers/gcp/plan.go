package gcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Plan compares the instance or cluster the spec asks for with the
// refreshed one. It makes no API call.
func (p *Provider) Plan(_ context.Context, req providers.PlanRequest) (*providers.PlanResponse, error) {
	r, vr, err := resolve(req.Spec)
	if err != nil {
		return nil, err
	}
	if len(vr.Problems) > 0 {
		return nil, vr.Problems
	}
	resp := &providers.PlanResponse{}
	if req.Destroy {
		for _, cur := range req.Current {
			resp.Changes = append(resp.Changes, r.deleteChange(cur, true))
		}
		return resp, nil
	}
	t := r.desired()
	resp.Notes = t.notes
	want := t.resource
	var before *providers.Resource
	for _, cur := range req.Current {
		if cur.Address() == want.Address() {
			cur := cur
			before = &cur
			continue
		}
		resp.Changes = append(resp.Changes, r.deleteChange(cur, false))
	}
	c := r.change(before, want, req.PollInterval.String())
	if before != nil && before.Private[privImported] != "" {
		// An adopted instance keeps its labels as found, unless it is
		// replaced: then redisctl creates the new one, labelled.
		kept := want.Clone()
		keepImportedLabels(before, &kept)
		if ck := r.change(before, kept, req.PollInterval.String()); ck == nil || ck.Action != providers.ActionReplace {
			c = ck
		}
	}
	if c != nil {
		resp.Changes = append(resp.Changes, *c)
	}
	return resp, nil
}

// keepImportedLabels leaves an imported instance without the deployment
// label, so that the first plan after `redisctl import` is empty.
func keepImportedLabels(before, want *providers.Resource) {
	if _, has := providers.SplitPairs(before.Attrs["labels"])[deploymentLabel]; has {
		return
	}
	ls := providers.SplitPairs(want.Attrs["labels"])
	delete(ls, deploymentLabel)
	want.Attrs["labels"] = providers.JoinPairs(ls)
}

// change diffs one resource, then applies what the capability table cannot
// know: the direction of a change and the instance's tier.
func (r *resolved) change(before *providers.Resource, want providers.Resource, poll string) *providers.Change {
	if before == nil {
		c := ruleSet.Diff(nil, &want)
		c.Calls = r.createCalls(want, poll)
		return c
	}
	if before.Attrs["state"] == "deleting" {
		c := &providers.Change{Address: want.Address(), Action: providers.ActionReplace, Impact: providers.ImpactDataLoss,
			Reason: "is being deleted (an interrupted destroy, or outside redisctl): created again, empty, once the deletion finishes",
			Before: before, After: &want}
		c.Calls = append([]string{"operations.get until the deletion finishes"}, r.createCalls(want, poll)...)
		return c
	}
	c := ruleSet.Diff(before, &want)
	if c == nil {
		return nil
	}
	if want.Type == typeInstance {
		adjustInstance(c, before.Attrs, want.Attrs)
	}
	summarize(c)
	if c.Action == providers.ActionReplace {
		c.Impact = providers.ImpactDataLoss
		c.Calls = append(r.deleteCalls(*before), r.createCalls(want, poll)...)
		return c
	}
	if pending := before.Private[privOp]; pending != "" {
		c.Calls = append(c.Calls, fmt.Sprintf("operations.get %s every %s until done (the interrupted %s)", pending, poll, before.Private[privOpKind]))
	}
	steps := instanceSteps(before.Attrs, want.Attrs)
	if want.Type == typeCluster {
		steps = clusterSteps(before.Attrs, want.Attrs)
	}
	for _, s := range steps {
		c.Calls = append(c.Calls, s.call(want), "operations.get every "+poll+" until done")
	}
	if len(steps) == 0 {
		c.Reason = "waits for the " + before.Attrs["state"] + " " + kindName(want.Type) + " to become ready"
		if op := before.Private[privOp]; op != "" {
			c.Reason = fmt.Sprintf("waits for the interrupted %s to finish (operation %s)", before.Private[privOpKind], op)
		} else {
			c.Calls = append(c.Calls, "Get"+strings.ToUpper(kindName(want.Type)[:1])+kindName(want.Type)[1:]+" every "+poll+" until ready")
		}
	}
	return c
}

// adjustInstance sets the impacts that depend on direction and tier.
func adjustInstance(c *providers.Change, before, after map[string]string) {
	for i := range c.Attrs {
		a := &c.Attrs[i]
		switch a.Name {
		case "read_replicas_mode":
			if a.Before == "READ_REPLICAS_ENABLED" {
				a.Mode, a.Impact = providers.Replace, providers.ImpactDataLoss
			}
		case "redis_version":
			switch {
			case a.Before != "" && versionRank[a.After] < versionRank[a.Before]:
				a.Mode, a.Impact = providers.Replace, providers.ImpactDataLoss
			case before["tier"] == "BASIC" && after["persistence"] != string(topology.PersistenceRDB):
				a.Impact = providers.ImpactDataLoss
			case before["tier"] == "BASIC":
				a.Impact = providers.ImpactReconnect
			}
		}
	}
}

// summarize settles a change from its attribute changes and adds why
// Memorystore forces what it does.
func summarize(c *providers.Change) {
	c.Settle()
	for _, a := range c.Attrs {
		switch {
		case a.Name == "read_replicas_mode" && a.Mode == providers.Replace:
			c.Reason += " (read replicas cannot be turned off on an instance)"
		case a.Name == "redis_version" && a.Mode == providers.Replace:
			c.Reason += " (Memorystore cannot downgrade Redis)"
		case a.Name == "redis_version" && a.Impact == providers.ImpactDataLoss:
			c.Reason += " (a BASIC instance without RDB snapshots is flushed by a version upgrade)"
		}
	}
}

func kindName(resourceType string) string {
	if resourceType == typeCluster {
		return "cluster"
	}
	return "instance"
}

// deleteChange removes an instance or cluster: its data goes with it.
func (r *resolved) deleteChange(cur providers.Resource, destroy bool) providers.Change {
	c := ruleSet.Diff(&cur, nil)
	c.Impact = providers.ImpactDataLoss
	c.Reason = "no longer in the spec (the layout moved to another kind of Memorystore resource); its data is deleted"
	if destroy {
		c.Reason = "destroy: the " + kindName(cur.Type) + " and its data are deleted"
	}
	if snap := r.finalSnapshot(cur); snap != "" {
		c.Reason += " after " + snap
	}
	c.Calls = r.deleteCalls(cur)
	return *c
}

// finalSnapshot describes the snapshot taken before cur is deleted ("" for none).
func (r *resolved) finalSnapshot(cur providers.Resource) string {
	switch {
	case r.settings.SkipFinalSnapshot:
		return ""
	case cur.Type == typeCluster:
		return "a final backup (BackupCluster)"
	case r.settings.FinalSnapshotBucket != "":
		return "a final RDB export to " + r.settings.FinalSnapshotBucket
	}
	return ""
}

func (r *resolved) deleteCalls(cur providers.Resource) []string {
	name := resourceName(cur)
	var calls []string
	if cur.Attrs["state"] == "deleting" {
		return []string{"operations.get until the deletion in progress finishes"}
	}
	if cur.Type == typeCluster {
		if !r.settings.SkipFinalSnapshot {
			calls = append(calls, fmt.Sprintf("BackupCluster(name=%s, backupId=%s-<time>)", name, finalBackupPrefix), "operations.get until done")
		}
		return append(calls, fmt.Sprintf("DeleteCluster(name=%s)", name), "operations.get until done")
	}
	if r.settings.FinalSnapshotBucket != "" && !r.settings.SkipFinalSnapshot {
		calls = append(calls, fmt.Sprintf("ExportInstance(name=%s, gcsDestination=%s)", name, exportURI(r.settings.FinalSnapshotBucket, cur.Name, "<time>")), "operations.get until done")
	}
	return append(calls, fmt.Sprintf("DeleteInstance(name=%s)", name), "operations.get until done")
}

func (r *resolved) createCalls(want providers.Resource, poll string) []string {
	a := want.Attrs
	wait := "operations.get every " + poll + " until done"
	if want.Type == typeCluster {
		return []string{fmt.Sprintf("CreateCluster(clusterId=%s, shardCount=%s, replicaCount=%s, nodeType=%s, authorizationMode=%s, transitEncryptionMode=%s, persistence=%s, pscConfigs.network=%s)",
			want.Name, a["shard_count"], a["replica_count"], a["node_type"], a["authorization_mode"], a["transit_encryption"], a["persistence"], a["network"]), wait}
	}
	version := a["redis_version"]
	if version == "" {
		version = defaultInstanceRedis
	}
	calls := []string{fmt.Sprintf("CreateInstance(instanceId=%s, tier=%s, memorySizeGb=%s, replicaCount=%s, readReplicasMode=%s, redisVersion=%s, authEnabled=%s, transitEncryptionMode=%s, persistence=%s, labels=%s)",
		want.Name, a["tier"], a["memory_size_gb"], a["replica_count"], a["read_replicas_mode"], version, a["auth_enabled"], a["transit_encryption"], a["persistence"], a["labels"]), wait}
	if a["auth_enabled"] == "true" {
		calls = append(calls, "GetInstanceAuthString (fingerprint kept in state)")
	}
	return calls
}

// finalBackupPrefix starts the ID of the backup a cluster gets before deletion.
const finalBackupPrefix = "redisctl-final"

// exportURI names the object an instance's final snapshot is exported to.
func exportURI(bucket, id, stamp string) string {
	return strings.TrimSuffix(bucket, "/") + "/" + id + "-" + stamp + ".rdb"
}
