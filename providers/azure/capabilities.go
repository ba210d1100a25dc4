package azure

import (
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Resource types the provider manages.
const (
	typeCluster  = "azure_managed_redis"          // Microsoft.Cache/redisEnterprise
	typeDatabase = "azure_managed_redis_database" // Microsoft.Cache/redisEnterprise/databases
	typeCache    = "azure_redis_cache"            // Microsoft.Cache/redis (classic, existing only)

	nameCluster  = "main"
	nameDatabase = "default" // Managed Redis has one database, always named default
	nameCache    = "main"
)

var rules = []providers.AttributeRule{
	{Resource: typeCluster, Attribute: "name", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "a cluster cannot be renamed: a new one is created and the old one deleted with its data"},
	{Resource: typeCluster, Attribute: "resource_group", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "a new cluster is created in the other resource group and the old one deleted with its data"},
	{Resource: typeCluster, Attribute: "location", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "a cluster cannot move region: it is recreated, data lost (export first with provider.finalExport)"},
	{Resource: typeCluster, Attribute: "zones", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "zones are fixed at creation: the cluster is recreated, data lost"},
	{Resource: typeCluster, Attribute: "high_availability", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "highAvailability is fixed at creation: the cluster is recreated, data lost"},
	{Resource: typeCluster, Attribute: "sku", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "RedisEnterprise.Update scales the cluster online (memory or tier); connections may drop while nodes are replaced"},
	{Resource: typeCluster, Attribute: "public_network_access", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "RedisEnterprise.Update; Disabled cuts off clients that do not come through a private endpoint"},
	{Resource: typeCluster, Attribute: "minimum_tls_version", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "RedisEnterprise.Update; clients on older TLS versions are refused"},
	{Resource: typeCluster, Attribute: "tags", Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "RedisEnterprise.Update(tags); redisctl-deployment and the spec's labels"},

	{Resource: typeDatabase, Attribute: "clustering_policy", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the clustering policy is fixed when the database is created: Azure deletes and recreates the database, data lost (export first with provider.finalExport)"},
	{Resource: typeDatabase, Attribute: "port", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the port is fixed when the database is created: the database is recreated, data lost"},
	{Resource: typeDatabase, Attribute: "client_protocol", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "Databases.Update(clientProtocol): Encrypted is TLS only, Plaintext is no TLS; clients must reconnect with the other protocol"},
	{Resource: typeDatabase, Attribute: "eviction_policy", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "Databases.Update(evictionPolicy), applied live"},
	{Resource: typeDatabase, Attribute: "persistence", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "Databases.Update(persistence): AOF every second or RDB every 1h/6h/12h, one at a time"},
	{Resource: typeDatabase, Attribute: "access_keys_auth", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "Databases.Update(accessKeysAuthentication); Disabled leaves Microsoft Entra ID as the only way in"},

	{Resource: typeCache, Attribute: "sku", Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "Redis.Update(sku): Standard and Premium scale with a failover to the replica; a Basic cache has none and restarts empty (data-loss); the tier can only go up"},
	{Resource: typeCache, Attribute: "shard_count", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "Redis.Update(shardCount): Premium only; slots move between shards while the cache serves; clustering cannot be turned off"},
	{Resource: typeCache, Attribute: "replicas_per_primary", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "Redis.Update(replicasPerPrimary): Premium only (1 to 3)"},
	{Resource: typeCache, Attribute: "maxmemory_policy", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "Redis.Update(redisConfiguration.maxmemory-policy), applied live"},
	{Resource: typeCache, Attribute: "non_ssl_port", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "Redis.Update(enableNonSslPort): port 6379 without TLS on or off; TLS stays on 6380"},
	{Resource: typeCache, Attribute: "minimum_tls_version", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "Redis.Update(minimumTlsVersion)"},
	{Resource: typeCache, Attribute: "tags", Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "Redis.Update(tags); redisctl-deployment and the spec's labels"},
	{Resource: typeCache, Attribute: "persistence", Mode: providers.Unsupported, Impact: providers.ImpactNone, Note: "classic persistence writes to a storage account redisctl does not manage: change it in the portal, then import again"},
	{Resource: typeCache, Attribute: "name", Mode: providers.Unsupported, Impact: providers.ImpactNone, Note: "a classic cache cannot be recreated (no new caches since October 2026); import the other cache instead"},
}

var ruleSet = providers.NewRuleSet(rules)

// Capabilities describes the Azure provider.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:        Name,
		Description: "Azure Managed Redis (redisenterprise API) for new deployments; existing Azure Cache for Redis (classic, no new caches since October 2026, retired in 2028) adopted with provider.classicCache",
		Layouts:     []topology.Layout{topology.LayoutSingle, topology.LayoutHA, topology.LayoutCluster},
		Mappings: map[topology.Layout]string{
			topology.LayoutSingle:  "Managed Redis cluster with highAvailability Disabled (no replica, no SLA) and database clusteringPolicy EnterpriseCluster (one endpoint, port 10000); SKU chosen from memory. Classic: Basic cache",
			topology.LayoutHA:      "Managed Redis cluster with highAvailability Enabled (one replica per shard, Azure fails over; no sentinels) and clusteringPolicy EnterpriseCluster. Classic: Standard (or Premium) cache with replicas",
			topology.LayoutCluster: "Managed Redis database with clusteringPolicy OSSCluster (cluster-aware clients, shard count chosen by Azure for the SKU); SKU from memory × shards; highAvailability Enabled with replicas: 1. Classic: Premium cache with shardCount",
		},
		Limits:      providers.Limits{MaxReplicas: 1, MinMemory: gib / 2, MaxMemory: 1920 * gib},
		Rules:       rules,
		TypicalWait: 15 * time.Minute,
		Settings:    Settings{},
	}
}
