package local

import (
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Resource types the local provider manages.
const (
	typeNode     = "node"
	typeSentinel = "sentinel"
)

var rules = []providers.AttributeRule{
	{Resource: typeNode, Attribute: "maxmemory", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "CONFIG SET maxmemory, no restart"},
	{Resource: typeNode, Attribute: "maxmemory_policy", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "CONFIG SET maxmemory-policy, no restart"},
	{Resource: typeNode, Attribute: "password", Mode: providers.InPlace, Impact: providers.ImpactReconnect, Note: "CONFIG SET requirepass; clients must use the new password"},
	{Resource: typeNode, Attribute: "persistence", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "CONFIG SET appendonly/save, no restart"},
	{Resource: typeNode, Attribute: "appendfsync", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "CONFIG SET appendfsync"},
	{Resource: typeNode, Attribute: "replicaof", Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "REPLICAOF; the node resyncs"},
	{Resource: typeNode, Attribute: "role", Mode: providers.InPlace, Impact: providers.ImpactRollingFailover, Note: "REPLICAOF; the node resyncs"},
	{Resource: typeNode, Attribute: "port", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart on the new port; data kept only with persistence (data-loss otherwise)"},
	{Resource: typeNode, Attribute: "bind", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart on the new address; data kept only with persistence (data-loss otherwise)"},
	{Resource: typeNode, Attribute: "engine", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart with the other binary; data kept only with persistence (data-loss otherwise)"},
	{Resource: typeNode, Attribute: "cluster_enabled", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart in or out of cluster mode; data kept only with persistence (data-loss otherwise)"},
	{Resource: typeCluster, Attribute: "members", Mode: providers.InPlace, Impact: providers.ImpactOnline, Note: "CLUSTER MEET new members, CLUSTER REPLICATE new replicas, CLUSTER FORGET removed ones"},
	{Resource: typeCluster, Attribute: "slots", Mode: providers.Replace, Impact: providers.ImpactDataLoss, Note: "slot ranges change: every node is flushed and the cluster assembled again (online resharding is not available yet)"},
	{Resource: typeSentinel, Attribute: "port", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart on the new port"},
	{Resource: typeSentinel, Attribute: "bind", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart on the new address"},
	{Resource: typeSentinel, Attribute: "engine", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart with the other binary"},
	{Resource: typeSentinel, Attribute: "master", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart monitoring the new primary"},
	{Resource: typeSentinel, Attribute: "quorum", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart with the new quorum"},
	{Resource: typeSentinel, Attribute: "password", Mode: providers.Replace, Impact: providers.ImpactReconnect, Note: "restart with the new auth-pass"},
}

var ruleSet = providers.NewRuleSet(rules, "password")

// Capabilities describes the local provider.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:        Name,
		Description: "Processes on this machine running the bundled engine (or redis-server with provider.engineBinary)",
		Layouts:     []topology.Layout{topology.LayoutSingle, topology.LayoutHA, topology.LayoutCluster},
		Mappings: map[topology.Layout]string{
			topology.LayoutSingle:  "one `redisctl server` process",
			topology.LayoutHA:      "primary, replica and sentinel processes (needs provider.engineBinary: redis-server until the engine replicates)",
			topology.LayoutCluster: "cluster-enabled node processes assembled with CLUSTER MEET/ADDSLOTS/REPLICATE (needs provider.engineBinary: redis-server until the engine has cluster mode)",
		},
		Limits:   providers.Limits{MaxShards: 0, MaxReplicas: 5, MinMemory: 1 << 20},
		Rules:    rules,
		Settings: Settings{},
	}
}
