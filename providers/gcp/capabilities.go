package gcp

import (
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Resource types the gcp provider manages.
const (
	typeInstance = "gcp_redis_instance"
	typeCluster  = "gcp_redis_cluster"
)

const (
	replaceNote = "; the old one and its data are deleted (after a final snapshot when configured)"
	waitNote    = "no change: waits for the operation in progress (an interrupted apply, maintenance) to finish"
)

var rules = []providers.AttributeRule{
	{Resource: typeInstance, Attribute: "location", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "project or region changed: a new instance is created there" + replaceNote},
	{Resource: typeInstance, Attribute: "tier", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "Memorystore cannot change the tier (BASIC ↔ STANDARD_HA) of an instance: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "memory_size_gb", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "UpdateInstance(memory_size_gb): data is kept; clients see a short connection reset while the instance scales"},
	{Resource: typeInstance, Attribute: "replica_count", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateInstance(replica_count): read replicas are added or removed; the primary is untouched"},
	{Resource: typeInstance, Attribute: "read_replicas_mode", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateInstance(read_replicas_mode, secondary_ip_range=auto) turns read replicas on; they cannot be turned off, so that replaces the instance (data-loss)"},
	{Resource: typeInstance, Attribute: "redis_version", Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "UpgradeInstance: STANDARD_HA upgrades the replicas, fails over, then the old primary; BASIC blocks clients while upgrading and flushes its data unless it takes RDB snapshots (data-loss); a downgrade replaces the instance"},
	{Resource: typeInstance, Attribute: "maxmemory_policy", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateInstance(redis_configs)"},
	{Resource: typeInstance, Attribute: "persistence", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateInstance(persistence_config): RDB snapshots on or off"},
	{Resource: typeInstance, Attribute: "rdb_snapshot_period", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateInstance(persistence_config)"},
	{Resource: typeInstance, Attribute: "auth_enabled", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "UpdateInstance(auth_enabled): clients must start or stop sending the AUTH string"},
	{Resource: typeInstance, Attribute: "transit_encryption", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "Memorystore cannot turn in-transit encryption on or off on an existing instance: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "zone", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "an instance cannot move zones: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "alternative_zone", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "an instance cannot move zones: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "network", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the authorized network is fixed at creation: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "connect_mode", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the connect mode is fixed at creation: a new instance is created" + replaceNote},
	{Resource: typeInstance, Attribute: "labels", Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "UpdateInstance(labels)"},
	{Resource: typeInstance, Attribute: "maintenance_window", Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "UpdateInstance(maintenance_policy): only moves when disruptive maintenance may happen"},
	{Resource: typeInstance, Attribute: "state", Mode: providers.InPlace, Impact: providers.ImpactNone, Note: waitNote},

	{Resource: typeCluster, Attribute: "location", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "project or region changed: a new cluster is created there" + replaceNote},
	{Resource: typeCluster, Attribute: "shard_count", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(shard_count): the keyspace is rebalanced online; latency may rise meanwhile"},
	{Resource: typeCluster, Attribute: "replica_count", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(replica_count): replicas are added or removed online"},
	{Resource: typeCluster, Attribute: "node_type", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(node_type): vertical scaling; the cluster stays available"},
	{Resource: typeCluster, Attribute: "authorization_mode", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the authorization mode is set at creation: a new cluster is created" + replaceNote},
	{Resource: typeCluster, Attribute: "transit_encryption", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "in-transit encryption is set at creation: a new cluster is created" + replaceNote},
	{Resource: typeCluster, Attribute: "persistence", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(persistence_config): RDB or AOF on or off"},
	{Resource: typeCluster, Attribute: "rdb_snapshot_period", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(persistence_config)"},
	{Resource: typeCluster, Attribute: "aof_fsync", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(persistence_config)"},
	{Resource: typeCluster, Attribute: "maxmemory_policy", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "UpdateCluster(redis_configs)"},
	{Resource: typeCluster, Attribute: "zone_distribution", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "zone distribution is set at creation: a new cluster is created" + replaceNote},
	{Resource: typeCluster, Attribute: "network", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the Private Service Connect network is set at creation: a new cluster is created" + replaceNote},
	{Resource: typeCluster, Attribute: "maintenance_window", Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "UpdateCluster(maintenance_policy)"},
	{Resource: typeCluster, Attribute: "state", Mode: providers.InPlace, Impact: providers.ImpactNone, Note: waitNote},
}

// authStringAttr holds the fingerprint of the AUTH string Memorystore made;
// it is observed, never desired, so it only ever shows up as drift.
const authStringAttr = "auth_string"

var ruleSet = providers.NewRuleSet(rules, authStringAttr)

// Capabilities describes the gcp provider.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:        Name,
		Description: "Google Cloud Memorystore: Memorystore for Redis instances (single, ha) and Memorystore for Redis Cluster (cluster)",
		Layouts:     []topology.Layout{topology.LayoutSingle, topology.LayoutHA, topology.LayoutCluster},
		Mappings: map[topology.Layout]string{
			topology.LayoutSingle:  "Memorystore for Redis instance, tier BASIC (one node), memorySizeGb from memory rounded up to whole GiB",
			topology.LayoutHA:      "Memorystore for Redis instance, tier STANDARD_HA with replicaCount = replicas and readReplicasMode (enabled when replicas > 1); automatic failover, no sentinels",
			topology.LayoutCluster: "Memorystore for Redis Cluster: shardCount = shards, replicaCount = replicas (0–2), nodeType chosen from memory per node",
		},
		Limits:      providers.Limits{MaxShards: maxClusterShards, MaxReplicas: maxInstanceReplicas, MaxMemory: maxInstanceGB * gib},
		Rules:       rules,
		TypicalWait: 10 * time.Minute,
		Settings:    Settings{},
	}
}
