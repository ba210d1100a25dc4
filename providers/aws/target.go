package aws

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/redisctl/redisctl/topology"
)

// target is what a spec asks ElastiCache for, with every default resolved.
type target struct {
	spec     *topology.Spec
	settings Settings

	id       string // replication group ID
	region   string // "" → the AWS chain's region
	engine   engineVersion
	nodeType nodeType // GiB is 0 for a type redisctl does not know
	cluster  bool
	shards   int // node groups (1 without cluster mode)
	replicas int // replicas per node group
	failover bool
	multiAZ  bool
	port     int
	transit  bool
	atRest   bool
	// retention is the automatic snapshot retention in days (0: off).
	retention int

	paramGroup  string // parameter group name
	paramSuffix string // family and cluster mode ("redis7", "redis7-cluster")
	subnetGroup string // subnet group name ("" → the default)
	ownSubnets  bool   // redisctl manages the subnet group
	tags        map[string]string

	finalSnapshot    bool
	applyImmediately bool
}

// Limits ElastiCache enforces that redisctl checks at plan time.
const (
	maxShards        = 500
	maxReplicas      = 5
	maxNodes         = 500 // nodes per replication group the service allows at most
	defaultNodeQuota = 90  // nodes per replication group before a quota increase
	defaultRetention = 7
	tagDeployment    = "redisctl-deployment"
)

var (
	groupIDPattern    = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9])*$`)
	regionPattern     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	snapshotWindowRe  = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)
	maintenanceWinRe  = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$`)
	nodeTypePattern   = regexp.MustCompile(`^cache\.[a-z][a-z0-9]*\.[a-z0-9]+$`)
	subnetIDPattern   = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	securityIDPattern = regexp.MustCompile(`^sg-[0-9a-f]+$`)
)

// resolve maps a spec onto ElastiCache, collecting every problem.
func resolve(spec *topology.Spec, s Settings) (target, topology.Problems, []string) {
	var probs topology.Problems
	var warnings []string
	problem := func(path, format string, args ...any) {
		probs = append(probs, spec.Problemf(path, format, args...))
	}
	t := target{spec: spec, settings: s, region: s.Region, port: spec.Network.BasePort, transit: spec.TLS.Enabled,
		atRest: s.AtRestEncryption == nil || *s.AtRestEncryption, finalSnapshot: s.FinalSnapshot == nil || *s.FinalSnapshot,
		applyImmediately: s.ApplyImmediately == nil || *s.ApplyImmediately}

	t.id = strings.ToLower(s.ReplicationGroupID)
	if t.id == "" {
		t.id = spec.Name
	}
	if len(t.id) > 40 || !groupIDPattern.MatchString(t.id) {
		path := "provider.replicationGroupId"
		if s.ReplicationGroupID == "" {
			path = "name"
		}
		problem(path, "%q is not a valid ElastiCache replication group ID (1 to 40 letters, digits or hyphens, starting with a letter, without two hyphens in a row or a trailing hyphen); set provider.replicationGroupId", t.id)
	}
	if s.Region != "" && !regionPattern.MatchString(s.Region) {
		problem("provider.region", "%q is not an AWS region name (e.g. us-east-1)", s.Region)
	}
	resolveEngine(&t, problem)
	resolveLayout(&t, problem, &warnings)
	resolveNodeType(&t, problem, &warnings)
	resolveData(&t, problem)
	resolveNetwork(&t, problem, &warnings)
	t.paramSuffix = parameterGroupSuffix(t.engine.Family)
	if t.cluster {
		t.paramSuffix += "-cluster"
	}
	t.paramGroup = t.id + "-" + t.paramSuffix
	if s.ParameterGroupName != "" {
		t.paramGroup = s.ParameterGroupName
		if strings.HasPrefix(s.ParameterGroupName, "default.") || len(s.ParameterGroupName) > 255 || !groupIDPattern.MatchString(strings.ToLower(s.ParameterGroupName)) {
			problem("provider.parameterGroupName", "%q cannot be managed: default parameter groups are read-only; give a name of letters, digits and single hyphens, starting with a letter", s.ParameterGroupName)
		}
	}
	t.tags = map[string]string{tagDeployment: spec.Name}
	maps.Copy(t.tags, spec.Labels)
	return t, probs, warnings
}

type problemFunc func(path, format string, args ...any)

func resolveEngine(t *target, problem problemFunc) {
	spec := t.spec
	v := spec.Engine.Version
	if v == "" {
		v = defaultVersion[spec.Engine.Name]
	}
	ev, ok := lookupVersion(spec.Engine.Name, majorMinorSpec(v))
	if !ok {
		problem("engine.version", "ElastiCache does not offer %s %s; versions offered: %s", spec.Engine.Name, v, describeEngines())
		ev, _ = lookupVersion(spec.Engine.Name, defaultVersion[spec.Engine.Name])
	}
	t.engine = ev
}

// majorMinorSpec accepts "7.1", "7.1.0" and "5.0.6" as written in specs.
func majorMinorSpec(v string) string { return majorMinor(v) }

func resolveLayout(t *target, problem problemFunc, warnings *[]string) {
	spec := t.spec
	switch spec.Layout {
	case topology.LayoutSingle:
		t.shards = 1
	case topology.LayoutHA:
		t.shards, t.replicas = 1, spec.Replicas
		t.failover, t.multiAZ = true, true
		if spec.Replicas < 1 {
			problem("replicas", "ElastiCache fails over only to a replica: ha needs at least 1 replica (or use layout: single for one node without failover)")
		}
	case topology.LayoutCluster:
		t.cluster, t.shards, t.replicas = true, spec.Shards, spec.Replicas
		t.failover, t.multiAZ = true, spec.Replicas > 0
	}
	if t.replicas > maxReplicas {
		problem("replicas", "ElastiCache allows at most %d replicas per shard", maxReplicas)
	}
	if t.shards > maxShards {
		problem("shards", "ElastiCache allows at most %d shards", maxShards)
	}
	if nodes := t.shards * (1 + t.replicas); nodes > maxNodes {
		problem("shards", "%d shards × %d nodes is %d nodes; ElastiCache allows at most %d nodes per cluster: use fewer shards or replicas", t.shards, 1+t.replicas, nodes, maxNodes)
	} else if nodes > defaultNodeQuota {
		*warnings = append(*warnings, fmt.Sprintf("this deployment has %d nodes; ElastiCache's default quota is %d nodes per cluster: request an increase (Service Quotas → Amazon ElastiCache → Nodes per cluster) before applying", nodes, defaultNodeQuota))
	}
	if len(spec.Zones) > 0 && len(spec.Zones) < 2 && t.multiAZ {
		problem("zones", "Multi-AZ needs nodes in at least two zones; list two or more zones or leave zones out")
	}
}

func resolveNodeType(t *target, problem problemFunc, warnings *[]string) {
	spec := t.spec
	if name := t.settings.NodeType; name != "" {
		if !nodeTypePattern.MatchString(name) {
			problem("provider.nodeType", "%q is not an ElastiCache node type (e.g. cache.r7g.large)", name)
			return
		}
		n, ok := lookupNodeType(name)
		if !ok {
			*warnings = append(*warnings, fmt.Sprintf("redisctl does not know how much memory %s offers; check it covers memory: %s", name, spec.Memory))
			t.nodeType = nodeType{Name: name}
			return
		}
		if n.bytes() < spec.Memory.Bytes {
			problem("provider.nodeType", "%s offers %s, less than memory: %s; pick a larger node type or remove provider.nodeType", name, gib(n), spec.Memory)
		}
		t.nodeType = n
		return
	}
	n, ok := pickNodeType(spec.Memory.Bytes)
	if !ok {
		l := largest()
		hint := "use layout: cluster and spread the data over more shards"
		if spec.Layout == topology.LayoutCluster {
			hint = "use more shards"
		}
		problem("memory", "ElastiCache's largest node type (%s) offers %s per node, less than %s: %s", l.Name, gib(l), spec.Memory, hint)
		return
	}
	t.nodeType = n
}

func resolveData(t *target, problem problemFunc) {
	spec, s := t.spec, t.settings
	switch spec.Persistence.Mode {
	case topology.PersistenceAOF:
		problem("persistence.mode", "ElastiCache offers no append-only file on Redis OSS 7+ and Valkey; the closest is persistence.mode: rdb (automatic daily snapshots), with replicas and Multi-AZ to survive node loss")
	case topology.PersistenceRDB:
		t.retention = defaultRetention
		if s.SnapshotRetentionDays != nil {
			t.retention = *s.SnapshotRetentionDays
			if t.retention < 1 || t.retention > 35 {
				problem("provider.snapshotRetentionDays", "snapshot retention is 1 to 35 days")
			}
		}
	default:
		if s.SnapshotRetentionDays != nil && *s.SnapshotRetentionDays != 0 {
			problem("provider.snapshotRetentionDays", "persistence.mode none turns automatic snapshots off; set persistence.mode: rdb to keep snapshots")
		}
	}
	if s.SnapshotWindow != "" && !snapshotWindowRe.MatchString(s.SnapshotWindow) {
		problem("provider.snapshotWindow", "%q is not a window: write hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00", s.SnapshotWindow)
	}
	if s.MaintenanceWindow != "" && !maintenanceWinRe.MatchString(s.MaintenanceWindow) {
		problem("provider.maintenanceWindow", "%q is not a window: write ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:06:00", s.MaintenanceWindow)
	}
	if spec.Auth.Password.Source != topology.SecretNone && !spec.TLS.Enabled {
		problem("auth.password", "ElastiCache accepts an AUTH token only with encryption in transit: set tls.enabled: true, or remove auth.password")
	}
	for k := range s.Parameters {
		switch k {
		case "maxmemory-policy":
			problem("provider.parameters."+k, "set the eviction policy with evictionPolicy, not provider.parameters")
		case "cluster-enabled":
			problem("provider.parameters."+k, "cluster-enabled follows the layout; remove it from provider.parameters")
		}
	}
}

func resolveNetwork(t *target, problem problemFunc, warnings *[]string) {
	spec, s := t.spec, t.settings
	if s.SubnetGroup != "" && len(s.SubnetIDs) > 0 {
		problem("provider.subnetIds", "give either provider.subnetGroup (an existing group) or provider.subnetIds (a group redisctl creates), not both")
	}
	for _, id := range s.SubnetIDs {
		if !subnetIDPattern.MatchString(id) {
			problem("provider.subnetIds", "%q is not a subnet ID (subnet-…)", id)
		}
	}
	for _, id := range s.SecurityGroupIDs {
		if !securityIDPattern.MatchString(id) {
			problem("provider.securityGroupIds", "%q is not a security group ID (sg-…)", id)
		}
	}
	switch {
	case len(s.SubnetIDs) > 0:
		t.subnetGroup, t.ownSubnets = t.id, true
	case s.SubnetGroup != "":
		t.subnetGroup = strings.ToLower(s.SubnetGroup)
	}
	if len(spec.Network.AllowedCIDRs) > 0 {
		if len(s.SecurityGroupIDs) == 0 {
			problem("network.allowedCIDRs", "the aws provider does not manage security groups: create one that admits %s on port %d and list it in provider.securityGroupIds", strings.Join(spec.Network.AllowedCIDRs, ", "), t.port)
		} else {
			*warnings = append(*warnings, fmt.Sprintf("network.allowedCIDRs (%s) is enforced by the security groups in provider.securityGroupIds; redisctl does not check their rules", strings.Join(spec.Network.AllowedCIDRs, ", ")))
		}
	}
	if spec.Network.Bind != "" {
		*warnings = append(*warnings, "network.bind has no meaning on ElastiCache; nodes are reached at the endpoints it assigns")
	}
}

// sortedJoin renders a set the way state keeps it.
func sortedJoin(v []string) string {
	c := slices.Clone(v)
	slices.Sort(c)
	return strings.Join(slices.Compact(c), ",")
}
