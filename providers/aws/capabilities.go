package aws

import (
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Resource types the aws provider manages.
const (
	typeGroup  = "aws_replication_group"
	typeParams = "aws_parameter_group"
	typeSubnet = "aws_subnet_group"
)

// Attributes of the replication group.
const (
	attrID            = "replication_group_id"
	attrEngine        = "engine"
	attrVersion       = "engine_version"
	attrNodeType      = "node_type"
	attrClusterMode   = "cluster_mode"
	attrShards        = "shards"
	attrReplicas      = "replicas"
	attrFailover      = "automatic_failover"
	attrMultiAZ       = "multi_az"
	attrParamGroup    = "parameter_group"
	attrSubnetGroup   = "subnet_group"
	attrSecurityGroup = "security_group_ids"
	attrPort          = "port"
	attrTransit       = "transit_encryption"
	attrAtRest        = "at_rest_encryption"
	attrAuth          = "auth_token"
	attrRetention     = "snapshot_retention"
	attrSnapWindow    = "snapshot_window"
	attrMaintWindow   = "maintenance_window"
	attrTags          = "tags"
	attrStatus        = "status"

	attrFamily     = "family"
	attrPolicy     = "maxmemory_policy"
	attrClusterOn  = "cluster_enabled"
	attrParameters = "parameters"
	attrSubnets    = "subnet_ids"
)

var rules = []providers.AttributeRule{
	{Resource: typeGroup, Attribute: attrID, Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "a replication group cannot be renamed: a new ID creates a new group and deletes the old one (final snapshot)"},
	{Resource: typeGroup, Attribute: attrEngine, Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "Redis OSS → Valkey upgrades node by node; Valkey → Redis OSS cannot be done in place and replaces the group (data-loss)"},
	{Resource: typeGroup, Attribute: attrVersion, Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "upgrade node by node with failovers (a single node restarts); a downgrade replaces the group (data-loss)"},
	{Resource: typeGroup, Attribute: attrNodeType, Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "online vertical scaling: new nodes sync, then the endpoints switch to them"},
	{Resource: typeGroup, Attribute: attrClusterMode, Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "moving between cluster mode and not deletes the group (final snapshot) and creates it again"},
	{Resource: typeGroup, Attribute: attrShards, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroupShardConfiguration: online resharding moves slots between shards"},
	{Resource: typeGroup, Attribute: attrReplicas, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "IncreaseReplicaCount adds replicas online; DecreaseReplicaCount disconnects clients reading from removed replicas (reconnect)"},
	{Resource: typeGroup, Attribute: attrFailover, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroup(AutomaticFailoverEnabled)"},
	{Resource: typeGroup, Attribute: attrMultiAZ, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroup(MultiAZEnabled)"},
	{Resource: typeGroup, Attribute: attrParamGroup, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroup(CacheParameterGroupName); dynamic parameters apply live"},
	{Resource: typeGroup, Attribute: attrSubnetGroup, Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "a replication group cannot move to another subnet group: it is deleted (final snapshot) and created again"},
	{Resource: typeGroup, Attribute: attrSecurityGroup, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroup(SecurityGroupIds); clients the new rules exclude are cut off"},
	{Resource: typeGroup, Attribute: attrPort, Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "the port is fixed at creation: the group is deleted (final snapshot) and created again"},
	{Resource: typeGroup, Attribute: attrTransit, Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "TransitEncryptionMode preferred, then required (Valkey, Redis OSS 7+): clients must switch to TLS; older engines replace the group (data-loss)"},
	{Resource: typeGroup, Attribute: attrAtRest, Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "encryption at rest is fixed at creation: the group is deleted (final snapshot) and created again"},
	{Resource: typeGroup, Attribute: attrAuth, Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "AuthTokenUpdateStrategy ROTATE, then SET: clients still using the old token must reconnect with the new one; removing the token replaces the group (data-loss)"},
	{Resource: typeGroup, Attribute: attrRetention, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyReplicationGroup(SnapshotRetentionLimit)"},
	{Resource: typeGroup, Attribute: attrSnapWindow, Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "ModifyReplicationGroup(SnapshotWindow)"},
	{Resource: typeGroup, Attribute: attrMaintWindow, Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "ModifyReplicationGroup(PreferredMaintenanceWindow)"},
	{Resource: typeGroup, Attribute: attrTags, Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "AddTagsToResource / RemoveTagsFromResource"},
	{Resource: typeGroup, Attribute: attrStatus, Mode: providers.InPlace, Impact: providers.ImpactNone, Note: "redisctl waits for the group to become available (after an interrupted apply, or a change made elsewhere)"},
	{Resource: typeParams, Attribute: attrFamily, Mode: providers.Replace, Impact: providers.ImpactNone, Note: "each engine family has its own parameter group (named <id>-<family>); a new one is created and the old one deleted once the replication group has moved"},
	{Resource: typeParams, Attribute: attrClusterOn, Mode: providers.Replace, Impact: providers.ImpactNone, Note: "cluster mode has its own parameter group (named <id>-<family>-cluster)"},
	{Resource: typeParams, Attribute: attrPolicy, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyCacheParameterGroup(maxmemory-policy) applies live"},
	{Resource: typeParams, Attribute: attrParameters, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyCacheParameterGroup; parameters that need a reboot apply at the next one"},
	{Resource: typeParams, Attribute: attrTags, Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "AddTagsToResource / RemoveTagsFromResource"},
	{Resource: typeSubnet, Attribute: attrSubnets, Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "ModifyCacheSubnetGroup; running nodes stay where they are"},
	{Resource: typeSubnet, Attribute: attrTags, Mode: providers.InPlace, Impact: providers.ImpactMetadata, Note: "AddTagsToResource / RemoveTagsFromResource"},
}

var ruleSet = providers.NewRuleSet(rules, attrAuth)

// Capabilities describes the aws provider.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:        Name,
		Description: "Amazon ElastiCache (Redis OSS and Valkey) replication groups through aws-sdk-go-v2",
		Layouts:     []topology.Layout{topology.LayoutSingle, topology.LayoutHA, topology.LayoutCluster},
		Mappings: map[topology.Layout]string{
			topology.LayoutSingle:  "replication group with one node (NumCacheClusters=1), no failover",
			topology.LayoutHA:      "cluster-mode-disabled replication group: NumCacheClusters=1+replicas, AutomaticFailoverEnabled, MultiAZEnabled (ElastiCache fails over itself; no sentinels)",
			topology.LayoutCluster: "cluster-mode-enabled replication group: NumNodeGroups=shards, ReplicasPerNodeGroup=replicas, automatic failover, Multi-AZ with replicas",
		},
		Limits:      providers.Limits{MaxShards: maxShards, MaxReplicas: maxReplicas, MaxMemory: largest().bytes()},
		Rules:       rules,
		TypicalWait: 15 * time.Minute,
		Settings:    Settings{},
	}
}
