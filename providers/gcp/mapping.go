package gcp

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Service limits checked at plan time.
const (
	maxInstanceGB        = 300
	minReadReplicaGB     = 5
	maxInstanceReplicas  = 5
	maxClusterShards     = 250
	maxClusterReplicas   = 2
	maxInstanceIDLength  = 40
	maxClusterIDLength   = 63
	defaultInstanceRedis = "REDIS_7_2"
	gib                  = 1 << 30
	gb                   = 1e9
)

// nodeTypeInfo is a Memorystore for Redis Cluster node type. keyspaceGB is
// the writable keyspace (what maxmemory is on a node), totalGB the node's
// capacity; types with no published capacity here are used only when named.
type nodeTypeInfo struct {
	name       NodeType
	api        clusterpb.NodeType
	keyspaceGB float64
	totalGB    float64
}

var nodeTypes = []nodeTypeInfo{
	{"redis-shared-core-nano", clusterpb.NodeType_REDIS_SHARED_CORE_NANO, 1.12, 1.4},
	{"redis-standard-small", clusterpb.NodeType_REDIS_STANDARD_SMALL, 5.2, 6.5},
	{"redis-highmem-medium", clusterpb.NodeType_REDIS_HIGHMEM_MEDIUM, 10.4, 13},
	{"redis-highmem-xlarge", clusterpb.NodeType_REDIS_HIGHMEM_XLARGE, 46.4, 58},
	{"redis-highcpu-medium", clusterpb.NodeType_REDIS_HIGHCPU_MEDIUM, 0, 0},
	{"redis-standard-large", clusterpb.NodeType_REDIS_STANDARD_LARGE, 0, 0},
	{"redis-highmem-2xlarge", clusterpb.NodeType_REDIS_HIGHMEM_2XLARGE, 0, 0},
}

func nodeTypeByName(n NodeType) (nodeTypeInfo, bool) {
	for _, t := range nodeTypes {
		if t.name == n {
			return t, true
		}
	}
	return nodeTypeInfo{}, false
}

func nodeTypeByAPI(api clusterpb.NodeType) (nodeTypeInfo, bool) {
	for _, t := range nodeTypes {
		if t.api == api {
			return t, true
		}
	}
	return nodeTypeInfo{}, false
}

// nodeTypeFor picks the smallest node type whose keyspace holds bytes.
func nodeTypeFor(bytes int64) (nodeTypeInfo, bool) {
	for _, t := range nodeTypes {
		if t.keyspaceGB > 0 && float64(bytes) <= t.keyspaceGB*gb {
			return t, true
		}
	}
	return nodeTypeInfo{}, false
}

// instanceGB rounds a memory size up to whole GiB (memorySizeGb), at least 1.
func instanceGB(bytes int64) int {
	return max(1, int(math.Ceil(float64(bytes)/gib)))
}

// redisVersions maps the versions a spec may write to Memorystore's names.
var redisVersions = map[string]string{
	"3.2": "REDIS_3_2", "4": "REDIS_4_0", "4.0": "REDIS_4_0", "5": "REDIS_5_0", "5.0": "REDIS_5_0",
	"6": "REDIS_6_X", "6.x": "REDIS_6_X", "6.0": "REDIS_6_X", "6.2": "REDIS_6_X",
	"7": "REDIS_7_0", "7.0": "REDIS_7_0", "7.2": "REDIS_7_2",
}

// versionRank orders Memorystore versions (upgrades only go up).
var versionRank = map[string]int{"REDIS_3_2": 1, "REDIS_4_0": 2, "REDIS_5_0": 3, "REDIS_6_X": 4, "REDIS_7_0": 5, "REDIS_7_2": 6}

// specVersion turns a Memorystore version back into what a spec writes.
func specVersion(api string) string {
	switch api {
	case "REDIS_6_X":
		return "6.x"
	case "":
		return ""
	}
	return strings.ReplaceAll(strings.TrimPrefix(api, "REDIS_"), "_", ".")
}

var snapshotPeriods = map[SnapshotPeriod]string{"1h": "ONE_HOUR", "6h": "SIX_HOURS", "12h": "TWELVE_HOURS", "24h": "TWENTY_FOUR_HOURS"}

func specSnapshotPeriod(api string) SnapshotPeriod {
	for k, v := range snapshotPeriods {
		if v == api {
			return k
		}
	}
	return ""
}

var (
	projectPattern = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
	regionPattern  = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	idPattern      = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	timePattern    = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
)

// target is what a spec asks of Memorystore: one instance or one cluster.
type target struct {
	resource providers.Resource
	notes    []string
}

// resolved is a decoded, checked spec.
type resolved struct {
	spec     *topology.Spec
	settings Settings
	id       string
	parent   string
}

func (r *resolved) cluster() bool { return r.spec.Layout == topology.LayoutCluster }

func (r *resolved) readReplicas() bool {
	if r.spec.Layout != topology.LayoutHA {
		return false
	}
	if r.settings.ReadReplicas != nil {
		return *r.settings.ReadReplicas
	}
	return r.spec.Replicas > 1
}

func (r *resolved) network() string {
	n := r.settings.Network
	switch {
	case n == "":
		n = "default"
	case strings.HasPrefix(n, "projects/"):
		return n
	}
	return "projects/" + r.settings.Project + "/global/networks/" + n
}

func (r *resolved) maintenanceWindow() string {
	w := r.settings.MaintenanceWindow
	if w == nil {
		return ""
	}
	return strings.ToUpper(string(w.Day)) + " " + w.StartTime
}

func (r *resolved) snapshotPeriod() string {
	if p, ok := snapshotPeriods[r.settings.SnapshotPeriod]; ok {
		return p
	}
	return "TWENTY_FOUR_HOURS"
}

func (r *resolved) labels() map[string]string {
	out := map[string]string{deploymentLabel: r.spec.Name}
	for k, v := range r.spec.Labels {
		out[k] = v
	}
	return out
}

// deploymentLabel tags every instance redisctl creates.
const deploymentLabel = "redisctl-deployment"

// desired builds the resource the spec asks for, with notes on the mapping.
func (r *resolved) desired() target {
	if r.cluster() {
		return r.desiredCluster()
	}
	return r.desiredInstance()
}

func (r *resolved) desiredInstance() target {
	spec := r.spec
	gbs := instanceGB(spec.Memory.Bytes)
	attrs := map[string]string{
		"location":           r.parent,
		"tier":               "BASIC",
		"memory_size_gb":     strconv.Itoa(gbs),
		"replica_count":      "0",
		"read_replicas_mode": redispb.Instance_READ_REPLICAS_DISABLED.String(),
		"maxmemory_policy":   string(spec.EvictionPolicy),
		"persistence":        persistenceAttr(spec.Persistence.Mode),
		"auth_enabled":       strconv.FormatBool(r.settings.AuthEnabled),
		"transit_encryption": transitAttr(spec.TLS.Enabled),
		"network":            r.network(),
		"connect_mode":       connectModeAPI(r.settings.ConnectMode),
		"labels":             providers.JoinPairs(r.labels()),
		"maintenance_window": r.maintenanceWindow(),
		"state":              stateReady,
	}
	var notes []string
	mapping := fmt.Sprintf("single → Memorystore for Redis instance %s, tier BASIC (one node, no replica), memorySizeGb=%d", r.id, gbs)
	if spec.Layout == topology.LayoutHA {
		attrs["tier"] = "STANDARD_HA"
		attrs["replica_count"] = strconv.Itoa(spec.Replicas)
		if r.readReplicas() {
			attrs["read_replicas_mode"] = redispb.Instance_READ_REPLICAS_ENABLED.String()
		}
		mapping = fmt.Sprintf("ha, replicas: %d → Memorystore for Redis instance %s, tier STANDARD_HA, replicaCount=%d, readReplicasMode=%s, memorySizeGb=%d; Memorystore fails over by itself, so no sentinels are run",
			spec.Replicas, r.id, spec.Replicas, attrs["read_replicas_mode"], gbs)
	}
	notes = append(notes, mapping)
	if float64(gbs)*gib != float64(spec.Memory.Bytes) {
		notes = append(notes, fmt.Sprintf("memory %s rounded up to memorySizeGb=%d (instances are sized in whole GiB)", spec.Memory, gbs))
	}
	if spec.Persistence.Mode == topology.PersistenceRDB {
		attrs["rdb_snapshot_period"] = r.snapshotPeriod()
	}
	if v := spec.Engine.Version; v != "" {
		attrs["redis_version"] = redisVersions[v]
	} else {
		notes = append(notes, fmt.Sprintf("engine.version unset: new instances get %s; set engine.version to manage upgrades", defaultInstanceRedis))
	}
	if len(spec.Zones) > 0 {
		attrs["zone"] = spec.Zones[0]
		if spec.Layout == topology.LayoutHA && len(spec.Zones) > 1 {
			attrs["alternative_zone"] = spec.Zones[1]
		}
	}
	if r.settings.AuthEnabled {
		notes = append(notes, "authEnabled → AuthEnabled; Memorystore generates the AUTH string, read back with GetInstanceAuthString (state keeps only its fingerprint)")
	}
	return target{resource: providers.Resource{Type: typeInstance, Name: r.id, Attrs: attrs}, notes: notes}
}

func (r *resolved) desiredCluster() target {
	spec := r.spec
	nt, explicit := nodeTypeByName(r.settings.NodeType)
	if !explicit {
		nt, _ = nodeTypeFor(spec.Memory.Bytes)
	}
	attrs := map[string]string{
		"location":           r.parent,
		"shard_count":        strconv.Itoa(spec.Shards),
		"replica_count":      strconv.Itoa(spec.Replicas),
		"node_type":          nt.api.String(),
		"authorization_mode": clusterpb.AuthorizationMode_AUTH_MODE_DISABLED.String(),
		"transit_encryption": transitAttr(spec.TLS.Enabled),
		"persistence":        persistenceAttr(spec.Persistence.Mode),
		"maxmemory_policy":   string(spec.EvictionPolicy),
		"zone_distribution":  clusterpb.ZoneDistributionConfig_MULTI_ZONE.String(),
		"network":            r.network(),
		"maintenance_window": r.maintenanceWindow(),
		"state":              stateReady,
	}
	notes := []string{fmt.Sprintf("cluster, shards: %d, replicas: %d → Memorystore for Redis Cluster %s: shardCount=%d, replicaCount=%d, nodeType=%s",
		spec.Shards, spec.Replicas, r.id, spec.Shards, spec.Replicas, nt.api)}
	if explicit {
		notes = append(notes, fmt.Sprintf("node type %s from provider.nodeType", nt.name))
	} else {
		notes = append(notes, fmt.Sprintf("memory %s per node → node type %s (%.2f GB writable keyspace, %.1f GB per node)", spec.Memory, nt.name, nt.keyspaceGB, nt.totalGB))
	}
	switch spec.Persistence.Mode {
	case topology.PersistenceRDB:
		attrs["rdb_snapshot_period"] = r.snapshotPeriod()
	case topology.PersistenceAOF:
		attrs["aof_fsync"] = strings.ToUpper(string(spec.Persistence.Fsync))
	}
	if r.settings.AuthEnabled {
		attrs["authorization_mode"] = clusterpb.AuthorizationMode_AUTH_MODE_IAM_AUTH.String()
		notes = append(notes, "authEnabled → AUTH_MODE_IAM_AUTH: clients authenticate with IAM access tokens; a cluster has no static password")
	}
	if len(spec.Zones) == 1 {
		attrs["zone_distribution"] = clusterpb.ZoneDistributionConfig_SINGLE_ZONE.String() + ":" + spec.Zones[0]
	}
	if len(spec.Labels) > 0 {
		notes = append(notes, "Memorystore for Redis Cluster (API v1) has no labels: the cluster is found by its ID, "+r.id)
	}
	return target{resource: providers.Resource{Type: typeCluster, Name: r.id, Attrs: attrs}, notes: notes}
}

func persistenceAttr(m topology.PersistenceMode) string {
	if m == "" {
		return string(topology.PersistenceNone)
	}
	return string(m)
}

func transitAttr(tls bool) string {
	if tls {
		return "SERVER_AUTHENTICATION"
	}
	return "DISABLED"
}

func connectModeAPI(m ConnectMode) string {
	if m == "private-service-access" {
		return redispb.Instance_PRIVATE_SERVICE_ACCESS.String()
	}
	return redispb.Instance_DIRECT_PEERING.String()
}

const stateReady = "ready"
