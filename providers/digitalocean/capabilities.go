package digitalocean

import (
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// typeCluster is the one resource type: a managed Valkey database cluster.
const typeCluster = "digitalocean_database_cluster"

// clusterResource is the name of the deployment's cluster in state.
const clusterResource = "main"

// Attributes of a cluster resource.
const (
	attrEngine      = "engine"
	attrVersion     = "version"
	attrSize        = "size"
	attrNumNodes    = "num_nodes"
	attrRegion      = "region"
	attrVPC         = "private_network"
	attrSources     = "trusted_sources"
	attrEviction    = "eviction_policy"
	attrPersistence = "persistence"
	attrMaintenance = "maintenance_window"
	attrTags        = "tags"
	attrStatus      = "status"
	attrPassword    = "password"
	attrEndpoint    = "endpoint"
)

var rules = []providers.AttributeRule{
	{Resource: typeCluster, Attribute: attrEngine, Mode: providers.Replace, Impact: providers.ImpactDataLoss,
		Note: "DigitalOcean cannot change a cluster's engine: a new, empty cluster is created (only valkey is offered; DigitalOcean's Redis is retired)"},
	{Resource: typeCluster, Attribute: attrVersion, Mode: providers.InPlace, Impact: providers.ImpactReconnect,
		Note: "Databases.UpgradeMajorVersion to a newer major version: nodes are replaced, clients reconnect; a lower version forces a replacement (data-loss)"},
	{Resource: typeCluster, Attribute: attrSize, Mode: providers.InPlace, Impact: providers.ImpactReconnect,
		Note: "Databases.Resize to a larger plan: DigitalOcean builds nodes of the new size, copies the data and switches DNS, dropping connections; DigitalOcean cannot resize to a smaller plan, which forces a replacement (data-loss)"},
	{Resource: typeCluster, Attribute: attrNumNodes, Mode: providers.InPlace, Impact: providers.ImpactOnline,
		Note: "Databases.Resize(num_nodes): the standby node is added or removed while the primary keeps serving"},
	{Resource: typeCluster, Attribute: attrRegion, Mode: providers.InPlace, Impact: providers.ImpactReconnect,
		Note: "Databases.Migrate: DigitalOcean moves the cluster and its data to the new region; host names and addresses change, clients reconnect"},
	{Resource: typeCluster, Attribute: attrVPC, Mode: providers.Replace, Impact: providers.ImpactDataLoss,
		Note: "the VPC network is chosen at creation: a new, empty cluster is created (with a region change, Databases.Migrate moves it into the new VPC in place)"},
	{Resource: typeCluster, Attribute: attrSources, Mode: providers.InPlace, Impact: providers.ImpactOnline,
		Note: "Databases.UpdateFirewallRules replaces the trusted sources; sources no longer listed cannot connect"},
	{Resource: typeCluster, Attribute: attrEviction, Mode: providers.InPlace, Impact: providers.ImpactOnline,
		Note: "Databases.SetEvictionPolicy, applied live"},
	{Resource: typeCluster, Attribute: attrPersistence, Mode: providers.InPlace, Impact: providers.ImpactOnline,
		Note: "Databases.UpdateValkeyConfig(valkey_persistence=rdb|off), applied live"},
	{Resource: typeCluster, Attribute: attrMaintenance, Mode: providers.InPlace, Impact: providers.ImpactMetadata,
		Note: "Databases.UpdateMaintenance: when DigitalOcean installs updates"},
	{Resource: typeCluster, Attribute: attrTags, Mode: providers.InPlace, Impact: providers.ImpactMetadata,
		Note: "Tags.TagResources / Tags.UntagResources"},
	{Resource: typeCluster, Attribute: attrEndpoint, Mode: providers.InPlace, Impact: providers.ImpactNone,
		Note: "which host outputs show, public or private (the VPC host); no API call"},
	{Resource: typeCluster, Attribute: attrStatus, Mode: providers.InPlace, Impact: providers.ImpactNone,
		Note: "not a setting: a cluster found creating, resizing or migrating (e.g. after an interrupted apply) is waited for until online"},
}

var ruleSet = providers.NewRuleSet(rules, attrPassword)

// Capabilities describes the digitalocean provider.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:        Name,
		Description: "DigitalOcean managed Valkey database clusters (godo; DigitalOcean's managed Redis is retired, engine redis maps to valkey)",
		Layouts:     []topology.Layout{topology.LayoutSingle, topology.LayoutHA},
		Mappings: map[topology.Layout]string{
			topology.LayoutSingle:  "a Valkey cluster with num_nodes=1 (a primary only)",
			topology.LayoutHA:      "a Valkey cluster with num_nodes=2 (a primary and one standby that DigitalOcean fails over to; replicas: 1 only, on plans of 2 GB or more); sentinels are not deployed",
			topology.LayoutCluster: "not offered: DigitalOcean's Valkey has no cluster mode; use layout ha with a larger plan (up to 256 GB) or several deployments",
		},
		Limits:      providers.Limits{MaxReplicas: 1, MinMemory: topology.MinMemory, MaxMemory: maxRAM},
		Rules:       rules,
		TypicalWait: 5 * time.Minute,
		Settings:    Settings{},
	}
}
