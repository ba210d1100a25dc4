package gcp

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/genproto/googleapis/type/dayofweek"
	"google.golang.org/genproto/googleapis/type/timeofday"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Private keys the provider keeps in state.
const (
	privOp       = "op"       // an operation still running when last seen
	privOpKind   = "op_kind"  // what it does: create, update, upgrade, export, delete, backup
	privImported = "imported" // adopted by `redisctl import`: labels are left as found
)

// evictionDefault is Memorystore's maxmemory-policy when none is set.
const evictionDefault = "volatile-lru"

// evictionPolicy is the maxmemory-policy a resource's redis configs give.
func evictionPolicy(configs map[string]string) string {
	if p := configs["maxmemory-policy"]; p != "" {
		return p
	}
	return evictionDefault
}

// withEvictionPolicy is live with maxmemory-policy set to policy: the one
// setting redisctl owns; the others, made outside redisctl, are kept.
func withEvictionPolicy(live map[string]string, policy string) map[string]string {
	cfg := maps.Clone(live)
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfg["maxmemory-policy"] = policy
	return cfg
}

// instanceResource describes an instance the way desired() does, so that
// an unchanged instance diffs clean. authFP is the AUTH string's fingerprint.
func instanceResource(in *redispb.Instance, authFP string) providers.Resource {
	policy := evictionPolicy(in.GetRedisConfigs())
	rr := in.GetReadReplicasMode()
	if rr == redispb.Instance_READ_REPLICAS_MODE_UNSPECIFIED {
		rr = redispb.Instance_READ_REPLICAS_DISABLED
	}
	cm := in.GetConnectMode()
	if cm == redispb.Instance_CONNECT_MODE_UNSPECIFIED {
		cm = redispb.Instance_DIRECT_PEERING
	}
	attrs := map[string]string{
		"location":           parentOf(in.GetName()),
		"tier":               in.GetTier().String(),
		"memory_size_gb":     strconv.Itoa(int(in.GetMemorySizeGb())),
		"replica_count":      strconv.Itoa(int(in.GetReplicaCount())),
		"read_replicas_mode": rr.String(),
		"redis_version":      in.GetRedisVersion(),
		"maxmemory_policy":   policy,
		"persistence":        string(topology.PersistenceNone),
		"auth_enabled":       strconv.FormatBool(in.GetAuthEnabled()),
		"transit_encryption": transitAttr(in.GetTransitEncryptionMode() == redispb.Instance_SERVER_AUTHENTICATION),
		"zone":               in.GetLocationId(),
		"network":            in.GetAuthorizedNetwork(),
		"connect_mode":       cm.String(),
		"labels":             providers.JoinPairs(in.GetLabels()),
		"maintenance_window": instanceWindow(in.GetMaintenancePolicy()),
		"state":              strings.ToLower(in.GetState().String()),
	}
	if z := in.GetAlternativeLocationId(); z != "" {
		attrs["alternative_zone"] = z
	}
	if pc := in.GetPersistenceConfig(); pc.GetPersistenceMode() == redispb.PersistenceConfig_RDB {
		attrs["persistence"] = string(topology.PersistenceRDB)
		attrs["rdb_snapshot_period"] = pc.GetRdbSnapshotPeriod().String()
	}
	if authFP != "" {
		attrs[authStringAttr] = authFP
	}
	r := providers.Resource{Type: typeInstance, Name: lastSegment(in.GetName()), ID: in.GetName(), Attrs: attrs, Private: map[string]string{}}
	if in.GetHost() != "" {
		r.Endpoints = append(r.Endpoints, providers.Endpoint{Host: in.GetHost(), Port: int(in.GetPort()), Role: "primary"})
	}
	if in.GetReadEndpoint() != "" {
		r.Endpoints = append(r.Endpoints, providers.Endpoint{Host: in.GetReadEndpoint(), Port: int(in.GetReadEndpointPort()), Role: "reader"})
	}
	return r
}

// clusterResource describes a cluster the way desired() does.
func clusterResource(c *clusterpb.Cluster) providers.Resource {
	policy := evictionPolicy(c.GetRedisConfigs())
	auth := c.GetAuthorizationMode()
	if auth == clusterpb.AuthorizationMode_AUTH_MODE_UNSPECIFIED {
		auth = clusterpb.AuthorizationMode_AUTH_MODE_DISABLED
	}
	zd := c.GetZoneDistributionConfig()
	zone := clusterpb.ZoneDistributionConfig_MULTI_ZONE.String()
	if zd.GetMode() == clusterpb.ZoneDistributionConfig_SINGLE_ZONE {
		zone = zd.GetMode().String() + ":" + zd.GetZone()
	}
	network := ""
	if pcs := c.GetPscConfigs(); len(pcs) > 0 {
		network = pcs[0].GetNetwork()
	}
	state := strings.ToLower(c.GetState().String())
	if c.GetState() == clusterpb.Cluster_ACTIVE {
		state = stateReady
	}
	attrs := map[string]string{
		"location":           parentOf(c.GetName()),
		"shard_count":        strconv.Itoa(int(c.GetShardCount())),
		"replica_count":      strconv.Itoa(int(c.GetReplicaCount())),
		"node_type":          c.GetNodeType().String(),
		"authorization_mode": auth.String(),
		"transit_encryption": transitAttr(c.GetTransitEncryptionMode() == clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION),
		"persistence":        string(topology.PersistenceNone),
		"maxmemory_policy":   policy,
		"zone_distribution":  zone,
		"network":            network,
		"maintenance_window": clusterWindow(c.GetMaintenancePolicy()),
		"state":              state,
	}
	switch pc := c.GetPersistenceConfig(); pc.GetMode() {
	case clusterpb.ClusterPersistenceConfig_RDB:
		attrs["persistence"] = string(topology.PersistenceRDB)
		attrs["rdb_snapshot_period"] = pc.GetRdbConfig().GetRdbSnapshotPeriod().String()
	case clusterpb.ClusterPersistenceConfig_AOF:
		attrs["persistence"] = string(topology.PersistenceAOF)
		attrs["aof_fsync"] = pc.GetAofConfig().GetAppendFsync().String()
	}
	r := providers.Resource{Type: typeCluster, Name: lastSegment(c.GetName()), ID: c.GetName(), Attrs: attrs, Private: map[string]string{}}
	for _, ep := range c.GetDiscoveryEndpoints() {
		r.Endpoints = append(r.Endpoints, providers.Endpoint{Host: ep.GetAddress(), Port: int(ep.GetPort()), Role: "configuration"})
	}
	return r
}

func instanceWindow(mp *redispb.MaintenancePolicy) string {
	if ws := mp.GetWeeklyMaintenanceWindow(); len(ws) > 0 {
		return formatWindow(ws[0].GetDay(), ws[0].GetStartTime())
	}
	return ""
}

func clusterWindow(mp *clusterpb.ClusterMaintenancePolicy) string {
	if ws := mp.GetWeeklyMaintenanceWindow(); len(ws) > 0 {
		return formatWindow(ws[0].GetDay(), ws[0].GetStartTime())
	}
	return ""
}

func formatWindow(day dayofweek.DayOfWeek, t *timeofday.TimeOfDay) string {
	return fmt.Sprintf("%s %02d:%02d", day, t.GetHours(), t.GetMinutes())
}

// parseWindow reads "TUESDAY 03:00" ("" is no window).
func parseWindow(s string) (dayofweek.DayOfWeek, *timeofday.TimeOfDay, bool) {
	day, at, ok := strings.Cut(s, " ")
	if !ok {
		return 0, nil, false
	}
	var h, m int32
	if _, err := fmt.Sscanf(at, "%d:%d", &h, &m); err != nil {
		return 0, nil, false
	}
	return dayofweek.DayOfWeek(dayofweek.DayOfWeek_value[day]), &timeofday.TimeOfDay{Hours: h, Minutes: m}, true
}

func lastSegment(name string) string { return name[strings.LastIndex(name, "/")+1:] }

// parentOf returns "projects/P/locations/L" of a resource name.
func parentOf(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) < 4 {
		return ""
	}
	return strings.Join(parts[:4], "/")
}
