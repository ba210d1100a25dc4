// Package azure deploys Redis on Azure. New deployments become Azure
// Managed Redis (the Microsoft.Cache/redisEnterprise API: a cluster and its
// one database, "default"); an existing classic Azure Cache for Redis
// (Microsoft.Cache/redis), which accepts no new caches since October 2026
// and is retired in 2028, can be adopted and managed but never created.
//
// Every call goes through the official azure-sdk-for-go clients
// (armredisenterprise, armredis/v2) with credentials from
// DefaultAzureCredential, loaded on the first API call. Validate, and Plan
// from an empty state, do no I/O.
package azure

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Name is the provider's name in specs.
const Name = "azure"

// Provider is the Azure provider.
type Provider struct {
	// Getenv reads the environment (os.Getenv; tests replace it).
	Getenv func(string) string
	// Retry configures the SDK's retry policy (throttling, 5xx).
	Retry policy.RetryOptions
	// Credential, when set, is used instead of the environment's.
	Credential azcore.TokenCredential

	mu      sync.Mutex
	clients map[string]*clients // by subscription
	cred    azcore.TokenCredential
}

var (
	_ providers.Provider       = (*Provider)(nil)
	_ providers.Importer       = (*Provider)(nil)
	_ providers.PasswordReader = (*Provider)(nil)
)

// New returns the provider. It does no I/O.
func New() *Provider {
	return &Provider{Getenv: os.Getenv, Retry: policy.RetryOptions{MaxRetries: 8}}
}

var clusterNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,58}[A-Za-z0-9])?$`)

// Validate checks the provider block and what Azure can run, without I/O.
func (p *Provider) Validate(_ context.Context, req providers.ValidateRequest) (*providers.ValidateResponse, error) {
	var s Settings
	if resp, err := providers.DecodeSettings(req.Spec, &s); resp != nil || err != nil {
		return resp, err
	}
	resp := &providers.ValidateResponse{}
	v := &validation{Findings: providers.Findings{Spec: req.Spec, Response: resp}, s: s}
	v.common()
	if s.ClassicCache != "" {
		v.classic()
	} else {
		v.managed()
	}
	return resp, nil
}

type validation struct {
	providers.Findings
	s Settings
}

// common checks what both services share.
func (v *validation) common() {
	spec, s := v.Spec, v.s
	if s.ResourceGroup == "" {
		v.Problemf("provider.resourceGroup", "set provider.resourceGroup: the resource group the Redis resources live in (it must exist)")
	}
	if spec.Engine.Name == topology.EngineValkey {
		v.Problemf("engine.name", "Azure runs Redis, not Valkey; remove engine.name or set it to redis")
	}
	if spec.Engine.Version != "" {
		v.Warnf("engine.version %q is not applied: Azure chooses the Redis version (Managed Redis runs Redis 7.4)", spec.Engine.Version)
	}
	if s.FinalExport.Source == topology.SecretGenerate {
		v.Problemf("provider.finalExport", "finalExport names a blob container SAS URL to export to before deleting; use env:NAME or file:PATH, not generate")
	}
	if !s.FinalExport.IsZero() && s.SkipFinalExport {
		v.Problemf("provider.skipFinalExport", "set either finalExport (export before deleting) or skipFinalExport: true, not both")
	}
	if spec.Network.Bind != "" {
		v.Warnf("network.bind is not used on Azure: clients reach the service's host name")
	}
	if len(spec.Network.AllowedCIDRs) > 0 {
		v.Warnf("network.allowedCIDRs is not enforced by this provider: restrict access with provider.publicNetworkAccess: Disabled and a private endpoint")
	}
	if !spec.Auth.Password.IsZero() {
		v.Problemf("auth.password", "Azure generates the access keys and cannot be given a password; remove auth.password (`redisctl output --show-secrets` reads the primary key; provider.accessKeys: Disabled leaves Microsoft Entra ID as the only way in)")
	}
}

func (v *validation) managed() {
	spec, s := v.Spec, v.s
	if s.Location == "" {
		v.Problemf("provider.location", "set provider.location: the Azure region to create Azure Managed Redis in, e.g. westeurope")
	}
	if name := clusterName(spec, s); !clusterNameRE.MatchString(name) {
		v.Problemf("provider.clusterName", "cluster name %q must be 1 to 60 letters, digits or '-', starting and ending with a letter or digit", name)
	}
	if s.ClassicTier != "" {
		v.Problemf("provider.classicTier", "classicTier applies to an existing classic cache (provider.classicCache) only")
	}
	switch spec.Layout {
	case topology.LayoutHA:
		if spec.Replicas != 1 {
			v.Problemf("replicas", "Azure Managed Redis keeps exactly one replica of each shard when high availability is on; set replicas: 1 (the closest equivalent)")
		}
	case topology.LayoutCluster:
		if spec.Replicas > 1 {
			v.Problemf("replicas", "Azure Managed Redis keeps at most one replica of each shard (high availability); set replicas: 1, or 0 to turn high availability off")
		}
	}
	v.clusteringPolicy()
	v.persistence()
	v.zones()
	v.sku()
}

func (v *validation) clusteringPolicy() {
	spec, s := v.Spec, v.s
	switch {
	case spec.Layout == topology.LayoutCluster && s.ClusteringPolicy != "" && s.ClusteringPolicy != PolicyOSSCluster:
		v.Problemf("provider.clusteringPolicy", "layout cluster means clients speak the Redis Cluster protocol, which needs clusteringPolicy OSSCluster; for one endpoint that hides the shards use layout single or ha with clusteringPolicy %s", s.ClusteringPolicy)
	case spec.Layout != topology.LayoutCluster && s.ClusteringPolicy == PolicyOSSCluster:
		v.Problemf("provider.clusteringPolicy", "OSSCluster exposes the shards to cluster-aware clients: use layout: cluster for it, or EnterpriseCluster / NoCluster for layout %s", spec.Layout)
	}
}

func (v *validation) persistence() {
	spec, s := v.Spec, v.s
	switch spec.Persistence.Mode {
	case topology.PersistenceAOF:
		if spec.Persistence.Fsync != topology.FsyncEverySec {
			v.Problemf("persistence.fsync", "Azure Managed Redis writes the AOF once a second only; set persistence.fsync: everysec")
		}
	case topology.PersistenceRDB:
	default:
		if s.RDBFrequency != "" {
			v.Problemf("provider.rdbFrequency", "rdbFrequency applies to persistence.mode: rdb only")
		}
	}
}

func (v *validation) zones() {
	for i, z := range v.Spec.Zones {
		if z != "1" && z != "2" && z != "3" {
			v.Problemf(fmt.Sprintf("zones[%d]", i), "Azure availability zones are named 1, 2 and 3, not %q", z)
		}
	}
}

func (v *validation) sku() {
	spec, s := v.Spec, v.s
	need := totalMemory(spec)
	if s.SKU != "" {
		sku, ok := managedSKU(s.SKU)
		if !ok {
			v.Problemf("provider.sku", "unknown Azure Managed Redis SKU %q; offered: %s", s.SKU, strings.Join(managedSKUNames(), ", "))
			return
		}
		if sku.Bytes < need {
			v.Problemf("provider.sku", "%s holds %s but the spec needs %s (%s); pick a larger SKU or leave provider.sku unset to choose from memory", sku.Name, human(sku.Bytes), human(need), memoryWhy(spec))
		}
		return
	}
	if _, err := chooseSKU(tierOf(s), need); err != nil {
		v.Problemf("memory", "%v", err)
	}
}

// Settings is the spec's provider block for azure.
type Settings struct {
	// Subscription is the Azure subscription ID (default $AZURE_SUBSCRIPTION_ID).
	Subscription string `yaml:"subscription,omitempty" json:"subscription,omitempty"`
	// ResourceGroup holds the Redis resources; it must exist.
	ResourceGroup string `yaml:"resourceGroup,omitempty" json:"resourceGroup,omitempty"`
	// Location is the Azure region for a new Azure Managed Redis, e.g. westeurope.
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
	// ClusterName names the Azure Managed Redis cluster (default: the deployment name).
	ClusterName string `yaml:"clusterName,omitempty" json:"clusterName,omitempty"`
	// Tier is the Managed Redis performance tier the SKU is chosen from by memory (default Balanced).
	Tier Tier `yaml:"tier,omitempty" json:"tier,omitempty"`
	// SKU names the Managed Redis SKU outright (e.g. MemoryOptimized_M20), instead of choosing it from memory.
	SKU string `yaml:"sku,omitempty" json:"sku,omitempty"`
	// ClusteringPolicy of the database: OSSCluster for layout cluster; EnterpriseCluster (default) or NoCluster for single and ha.
	ClusteringPolicy ClusteringPolicy `yaml:"clusteringPolicy,omitempty" json:"clusteringPolicy,omitempty"`
	// PublicNetworkAccess is Enabled (default) or Disabled (private endpoints only).
	PublicNetworkAccess Access `yaml:"publicNetworkAccess,omitempty" json:"publicNetworkAccess,omitempty"`
	// AccessKeys is Enabled (default: clients authenticate with the key Azure generates) or Disabled (Microsoft Entra ID only).
	AccessKeys Access `yaml:"accessKeys,omitempty" json:"accessKeys,omitempty"`
	// RDBFrequency is how often an rdb snapshot is written: 1h (default), 6h or 12h.
	RDBFrequency RDBFrequency `yaml:"rdbFrequency,omitempty" json:"rdbFrequency,omitempty"`
	// ClassicCache names an existing Azure Cache for Redis to manage instead of creating Managed Redis (the classic service takes no new caches).
	ClassicCache string `yaml:"classicCache,omitempty" json:"classicCache,omitempty"`
	// ClassicTier is the classic cache's tier when the layout alone does not say (ha: Standard, or Premium).
	ClassicTier ClassicTier `yaml:"classicTier,omitempty" json:"classicTier,omitempty"`
	// FinalExport is where a blob container SAS URL comes from (env:NAME or file:PATH); data is exported there before a delete.
	FinalExport topology.SecretRef `yaml:"finalExport,omitempty" json:"finalExport,omitempty"`
	// SkipFinalExport destroys without exporting the data first.
	SkipFinalExport bool `yaml:"skipFinalExport,omitempty" json:"skipFinalExport,omitempty"`
}

// Tier is a Managed Redis performance tier.
type Tier string

// The tiers a SKU is chosen from.
const (
	TierBalanced         Tier = "Balanced"
	TierMemoryOptimized  Tier = "MemoryOptimized"
	TierComputeOptimized Tier = "ComputeOptimized"
)

// EnumValues lists the tiers.
func (Tier) EnumValues() []string {
	return []string{string(TierBalanced), string(TierMemoryOptimized), string(TierComputeOptimized)}
}

// ClusteringPolicy is a Managed Redis database's clustering policy.
type ClusteringPolicy string

// The clustering policies.
const (
	PolicyOSSCluster        ClusteringPolicy = "OSSCluster"
	PolicyEnterpriseCluster ClusteringPolicy = "EnterpriseCluster"
	PolicyNoCluster         ClusteringPolicy = "NoCluster"
)

// EnumValues lists the policies.
func (ClusteringPolicy) EnumValues() []string {
	return []string{string(PolicyOSSCluster), string(PolicyEnterpriseCluster), string(PolicyNoCluster)}
}

// Access is Enabled or Disabled.
type Access string

// EnumValues lists the values.
func (Access) EnumValues() []string { return []string{"Enabled", "Disabled"} }

// RDBFrequency is how often Managed Redis writes an RDB snapshot.
type RDBFrequency string

// EnumValues lists the frequencies.
func (RDBFrequency) EnumValues() []string { return []string{"1h", "6h", "12h"} }

// ClassicTier is a classic cache's tier.
type ClassicTier string

// EnumValues lists the tiers.
func (ClassicTier) EnumValues() []string { return []string{"Basic", "Standard", "Premium"} }

// FieldDocs documents the settings for `redisctl schema`.
func (Settings) FieldDocs() map[string]string {
	return map[string]string{
		"Subscription":        "Azure subscription ID (default $AZURE_SUBSCRIPTION_ID).",
		"ResourceGroup":       "Resource group holding the Redis resources; it must exist.",
		"Location":            "Azure region for a new Azure Managed Redis, e.g. westeurope.",
		"ClusterName":         "Name of the Azure Managed Redis cluster (default: the deployment name).",
		"Tier":                "Managed Redis performance tier the SKU is chosen from by memory (default Balanced).",
		"SKU":                 "Managed Redis SKU, e.g. MemoryOptimized_M20, instead of choosing it from memory.",
		"ClusteringPolicy":    "Database clustering policy: OSSCluster (layout cluster), EnterpriseCluster (default for single and ha) or NoCluster. Changing it recreates the database (data loss).",
		"PublicNetworkAccess": "Enabled (default) or Disabled (private endpoints only).",
		"AccessKeys":          "Enabled (default): clients authenticate with the access key Azure generates; Disabled: Microsoft Entra ID only.",
		"RDBFrequency":        "How often persistence.mode rdb writes a snapshot: 1h (default), 6h or 12h.",
		"ClassicCache":        "Name of an existing Azure Cache for Redis to adopt and manage (the classic service accepts no new caches since October 2026 and retires in 2028).",
		"ClassicTier":         "Tier of the classic cache when the layout does not say: Basic, Standard or Premium.",
		"FinalExport":         "Blob container SAS URL to export the data to before a delete: env:NAME or file:PATH.",
		"SkipFinalExport":     "Delete without exporting the data first.",
	}
}

// settings decodes the provider block (already validated).
func settings(spec *topology.Spec) Settings {
	var s Settings
	_ = topology.DecodeSettings(spec, &s)
	return s
}

func clusterName(spec *topology.Spec, s Settings) string {
	if s.ClusterName != "" {
		return s.ClusterName
	}
	return spec.Name
}

func tierOf(s Settings) Tier {
	if s.Tier == "" {
		return TierBalanced
	}
	return s.Tier
}
