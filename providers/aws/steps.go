package aws

import (
	"fmt"
	"strings"

	"github.com/redisctl/redisctl/providers"
)

// stepKind is one API call an in-place replication group update makes.
type stepKind int

// The steps, in the order ElastiCache needs them: shards first, then
// replica increases (automatic failover needs a replica), engine and node
// type, the other settings, encryption in transit (before an AUTH token,
// which needs it), the token, and replica decreases last (after automatic
// failover is turned off for a group going down to one node).
const (
	stepShards stepKind = iota
	stepReplicasUp
	stepEngine
	stepNodeType
	stepSettings
	stepTransitOn
	stepTransitRequired
	stepTransitPreferred
	stepTransitOff
	stepAuthRotate
	stepAuthSet
	stepReplicasDown
	stepTags
	stepWait
)

// step is one call of an update.
type step struct {
	kind stepKind
	// call describes it for the plan.
	call string
	// deferred steps wait for the maintenance window (applyImmediately false).
	deferred bool
	// settings are the ModifyReplicationGroup arguments of stepSettings.
	settings []string
}

const waitNote = ", then wait until available"

// groupSteps lists the calls that turn the group before into after. Apply
// calls it again with the group as it is before each step, so an update
// interrupted half way continues with what is left.
func groupSteps(t target, before *providers.Resource, after map[string]string) []step {
	b := before.Attrs
	changed := func(attr string) bool {
		v, ok := after[attr]
		return ok && v != b[attr]
	}
	var steps []step
	add := func(kind stepKind, call string) {
		steps = append(steps, step{kind: kind, call: call + waitNote})
	}
	if changed(attrShards) {
		call := fmt.Sprintf("ModifyReplicationGroupShardConfiguration(NodeGroupCount=%s, ApplyImmediately=true", after[attrShards])
		if atoi(after[attrShards]) < atoi(b[attrShards]) {
			call += fmt.Sprintf(", NodeGroupsToRemove=[the last %d]", atoi(b[attrShards])-atoi(after[attrShards]))
		}
		add(stepShards, call+")")
	}
	want := atoi(after[attrReplicas])
	if changed(attrReplicas) && replicaMin(b[attrReplicas]) < want {
		add(stepReplicasUp, fmt.Sprintf("IncreaseReplicaCount(NewReplicaCount=%d, ApplyImmediately=true)", want))
	}
	immediate := strings.ToLower(fmt.Sprint(t.applyImmediately))
	engineChanged := changed(attrEngine) || changed(attrVersion)
	if engineChanged {
		args := fmt.Sprintf("EngineVersion=%s", t.engine.API)
		if changed(attrEngine) {
			args = "Engine=" + after[attrEngine] + ", " + args
		}
		if changed(attrParamGroup) {
			args += ", CacheParameterGroupName=" + after[attrParamGroup]
		}
		steps = append(steps, engineStep(stepEngine, "ModifyReplicationGroup("+args+", ApplyImmediately="+immediate+")", t.applyImmediately))
	}
	if changed(attrNodeType) {
		steps = append(steps, engineStep(stepNodeType, "ModifyReplicationGroup(CacheNodeType="+after[attrNodeType]+", ApplyImmediately="+immediate+")", t.applyImmediately))
	}
	if s := settingArgs(b, after, changed, engineChanged); len(s) > 0 {
		steps = append(steps, step{kind: stepSettings, settings: s, call: "ModifyReplicationGroup(" + strings.Join(s, ", ") + ", ApplyImmediately=true)" + waitNote})
	}
	steps = append(steps, transitSteps(b[attrTransit], after[attrTransit])...)
	if changed(attrAuth) && after[attrAuth] != "" {
		if before.Private[privAuthRotated] != after[attrAuth] {
			add(stepAuthRotate, "ModifyReplicationGroup(AuthToken="+providers.SensitiveValue+", AuthTokenUpdateStrategy=ROTATE, ApplyImmediately=true)")
		}
		add(stepAuthSet, "ModifyReplicationGroup(AuthToken="+providers.SensitiveValue+", AuthTokenUpdateStrategy=SET, ApplyImmediately=true)")
	}
	if changed(attrReplicas) && replicaMax(b[attrReplicas]) > want {
		add(stepReplicasDown, fmt.Sprintf("DecreaseReplicaCount(NewReplicaCount=%d, ApplyImmediately=true)", want))
	}
	if changed(attrTags) {
		steps = append(steps, step{kind: stepTags, call: strings.Join(tagCalls(&providers.Change{Before: before, After: &providers.Resource{Attrs: after}}), ", ")})
	}
	if len(steps) == 0 && changed(attrStatus) {
		steps = append(steps, step{kind: stepWait, call: "DescribeReplicationGroups every poll interval, until available"})
	}
	return steps
}

func engineStep(kind stepKind, call string, immediate bool) step {
	if immediate {
		return step{kind: kind, call: call + waitNote}
	}
	return step{kind: kind, call: call + ", applied in the maintenance window", deferred: true}
}

// settingArgs lists the ModifyReplicationGroup arguments of the settings step.
func settingArgs(b, after map[string]string, changed func(string) bool, engineChanged bool) []string {
	var args []string
	if changed(attrParamGroup) && !engineChanged {
		args = append(args, "CacheParameterGroupName="+after[attrParamGroup])
	}
	if changed(attrSecurityGroup) {
		args = append(args, "SecurityGroupIds=["+after[attrSecurityGroup]+"]")
	}
	if changed(attrFailover) {
		args = append(args, "AutomaticFailoverEnabled="+fmt.Sprint(after[attrFailover] == "enabled"))
	}
	if changed(attrMultiAZ) {
		args = append(args, "MultiAZEnabled="+fmt.Sprint(after[attrMultiAZ] == "enabled"))
	}
	if changed(attrRetention) {
		args = append(args, "SnapshotRetentionLimit="+after[attrRetention])
	}
	if changed(attrSnapWindow) {
		args = append(args, "SnapshotWindow="+after[attrSnapWindow])
	}
	if changed(attrMaintWindow) {
		args = append(args, "PreferredMaintenanceWindow="+after[attrMaintWindow])
	}
	return args
}

// Values of the transit_encryption attribute: "preferred" is the half-way
// state of a migration, when plain and TLS connections are both accepted.
const transitPreferred = "preferred"

func transitSteps(before, after string) []step {
	on := step{kind: stepTransitOn, call: "ModifyReplicationGroup(TransitEncryptionEnabled=true, TransitEncryptionMode=preferred, ApplyImmediately=true)" + waitNote}
	required := step{kind: stepTransitRequired, call: "ModifyReplicationGroup(TransitEncryptionMode=required, ApplyImmediately=true)" + waitNote}
	preferred := step{kind: stepTransitPreferred, call: "ModifyReplicationGroup(TransitEncryptionMode=preferred, ApplyImmediately=true)" + waitNote}
	off := step{kind: stepTransitOff, call: "ModifyReplicationGroup(TransitEncryptionEnabled=false, ApplyImmediately=true)" + waitNote}
	switch {
	case before == after || after == "":
		return nil
	case after == "true" && before == transitPreferred:
		return []step{required}
	case after == "true":
		return []step{on, required}
	case before == transitPreferred:
		return []step{off}
	default:
		return []step{preferred, off}
	}
}
