package azure

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redisenterprise/armredisenterprise"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// managedPort is the port every Managed Redis database listens on.
const managedPort = 10000

// evictionNames maps the spec's policies to the API's.
var evictionNames = map[topology.EvictionPolicy]armredisenterprise.EvictionPolicy{
	topology.NoEviction:     armredisenterprise.EvictionPolicyNoEviction,
	topology.AllKeysLRU:     armredisenterprise.EvictionPolicyAllKeysLRU,
	topology.VolatileLRU:    armredisenterprise.EvictionPolicyVolatileLRU,
	topology.AllKeysLFU:     armredisenterprise.EvictionPolicyAllKeysLFU,
	topology.VolatileLFU:    armredisenterprise.EvictionPolicyVolatileLFU,
	topology.AllKeysRandom:  armredisenterprise.EvictionPolicyAllKeysRandom,
	topology.VolatileRandom: armredisenterprise.EvictionPolicyVolatileRandom,
	topology.VolatileTTL:    armredisenterprise.EvictionPolicyVolatileTTL,
}

// specEviction maps an API eviction policy back to the spec's name.
func specEviction(p armredisenterprise.EvictionPolicy) string {
	for k, v := range evictionNames {
		if strings.EqualFold(string(v), string(p)) {
			return string(k)
		}
	}
	return string(p)
}

// desiredTags are the tags redisctl sets: the deployment tag and the labels.
func desiredTags(spec *topology.Spec) map[string]string {
	tags := map[string]string{"redisctl-deployment": spec.Name}
	for k, v := range spec.Labels {
		tags[k] = v
	}
	return tags
}

// encodeTags writes tags as sorted k=v pairs.
func encodeTags(tags map[string]string) string {
	var parts []string
	for k, v := range tags {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func tagKeys(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// unionKeys adds the keys of tags to a comma-separated key list.
func unionKeys(prev string, tags map[string]string) string {
	all := map[string]string{}
	for k := range tags {
		all[k] = ""
	}
	for _, k := range strings.Split(prev, ",") {
		if k != "" {
			all[k] = ""
		}
	}
	return tagKeys(all)
}

// managedTags restricts tags read from Azure to the ones redisctl manages:
// those it set before and those the spec asks for. Tags others add (Azure
// Policy, cost tools) are left alone and never diff.
func managedTags(real map[string]string, prevKeys string, spec *topology.Spec) map[string]string {
	keep := desiredTags(spec)
	for _, k := range strings.Split(prevKeys, ",") {
		if k != "" {
			keep[k] = ""
		}
	}
	out := map[string]string{}
	for k := range keep {
		if v, ok := real[k]; ok {
			out[k] = v
		}
	}
	return out
}

func highAvailability(spec *topology.Spec) string {
	if spec.Layout == topology.LayoutSingle || (spec.Layout == topology.LayoutCluster && spec.Replicas == 0) {
		return "Disabled"
	}
	return "Enabled"
}

func clusteringPolicy(spec *topology.Spec, s Settings) ClusteringPolicy {
	if spec.Layout == topology.LayoutCluster {
		return PolicyOSSCluster
	}
	if s.ClusteringPolicy != "" {
		return s.ClusteringPolicy
	}
	return PolicyEnterpriseCluster
}

func persistenceAttr(spec *topology.Spec, s Settings) string {
	switch spec.Persistence.Mode {
	case topology.PersistenceAOF:
		return "aof/1s"
	case topology.PersistenceRDB:
		f := s.RDBFrequency
		if f == "" {
			f = "1h"
		}
		return "rdb/" + string(f)
	}
	return "none"
}

func clientProtocol(spec *topology.Spec) string {
	if spec.TLS.Enabled {
		return string(armredisenterprise.ProtocolEncrypted)
	}
	return string(armredisenterprise.ProtocolPlaintext)
}

func enabled(b bool) string {
	if b {
		return "Enabled"
	}
	return "Disabled"
}

func accessKeys(s Settings) string {
	if s.AccessKeys == "" {
		return "Enabled"
	}
	return string(s.AccessKeys)
}

func publicAccess(s Settings) string {
	if s.PublicNetworkAccess == "" {
		return "Enabled"
	}
	return string(s.PublicNetworkAccess)
}

func zonesAttr(zones []string) string {
	z := slices.Clone(zones)
	sort.Strings(z)
	return strings.Join(z, ",")
}

// desiredManaged is the Managed Redis cluster and database the spec asks for.
func desiredManaged(d providers.Deployment, sub string) []providers.Resource {
	spec := d.Spec
	s := settings(spec)
	tags := desiredTags(spec)
	cluster := providers.Resource{
		Type: typeCluster, Name: nameCluster,
		Attrs: map[string]string{
			"name":                  clusterName(spec, s),
			"resource_group":        s.ResourceGroup,
			"location":              normLocation(s.Location),
			"sku":                   desiredSKU(spec, s).Name,
			"high_availability":     highAvailability(spec),
			"zones":                 zonesAttr(spec.Zones),
			"public_network_access": publicAccess(s),
			"minimum_tls_version":   "1.2",
			"tags":                  encodeTags(tags),
		},
		Private: map[string]string{privTagKeys: tagKeys(tags), privSub: sub},
	}
	db := providers.Resource{
		Type: typeDatabase, Name: nameDatabase,
		Attrs: map[string]string{
			"clustering_policy": string(clusteringPolicy(spec, s)),
			"port":              fmt.Sprint(managedPort),
			"client_protocol":   clientProtocol(spec),
			"eviction_policy":   string(spec.EvictionPolicy),
			"persistence":       persistenceAttr(spec, s),
			"access_keys_auth":  accessKeys(s),
		},
		Private:   map[string]string{privSub: sub},
		DependsOn: []string{typeCluster + "." + nameCluster},
	}
	return []providers.Resource{cluster, db}
}

func normLocation(l string) string { return strings.ToLower(strings.ReplaceAll(l, " ", "")) }

// clusterResource is a cluster as Azure reports it.
func clusterResource(c armredisenterprise.Cluster, props map[string]any, prev providers.Resource, spec *topology.Spec) providers.Resource {
	id := parseID(deref(c.ID))
	var zones []string
	for _, z := range c.Zones {
		zones = append(zones, deref(z))
	}
	real := tagValues(c.Tags)
	r := providers.Resource{
		Type: typeCluster, Name: nameCluster, ID: deref(c.ID),
		Attrs: map[string]string{
			"name":                  deref(c.Name),
			"resource_group":        id.resourceGroup,
			"location":              normLocation(deref(c.Location)),
			"zones":                 zonesAttr(zones),
			"high_availability":     propString(props, "highAvailability", "Enabled"),
			"public_network_access": propString(props, "publicNetworkAccess", "Enabled"),
			"tags":                  encodeTags(managedTags(real, prev.Private[privTagKeys], spec)),
		},
		Private: map[string]string{privSub: id.subscription, privTagKeys: unionKeys(prev.Private[privTagKeys], desiredTags(spec))},
	}
	if c.SKU != nil && c.SKU.Name != nil {
		r.Attrs["sku"] = canonicalSKU(string(*c.SKU.Name))
	}
	if p := c.Properties; p != nil {
		if p.MinimumTLSVersion != nil {
			r.Attrs["minimum_tls_version"] = string(*p.MinimumTLSVersion)
		}
		if p.ProvisioningState != nil {
			r.Private[privState] = string(*p.ProvisioningState)
		}
		if p.HostName != nil {
			r.Private["host"] = *p.HostName
		}
	}
	return r
}

// databaseResource is a database as Azure reports it; host is its cluster's.
func databaseResource(db armredisenterprise.Database, props map[string]any, host string, spec *topology.Spec) providers.Resource {
	id := parseID(deref(db.ID))
	r := providers.Resource{
		Type: typeDatabase, Name: nameDatabase, ID: deref(db.ID),
		Attrs: map[string]string{
			"access_keys_auth": propString(props, "accessKeysAuthentication", "Enabled"),
		},
		Private:   map[string]string{privSub: id.subscription},
		DependsOn: []string{typeCluster + "." + nameCluster},
	}
	if p := db.Properties; p != nil {
		if p.ClusteringPolicy != nil {
			r.Attrs["clustering_policy"] = string(*p.ClusteringPolicy)
		}
		if p.Port != nil {
			r.Attrs["port"] = fmt.Sprint(*p.Port)
		}
		if p.ClientProtocol != nil {
			r.Attrs["client_protocol"] = string(*p.ClientProtocol)
		}
		if p.EvictionPolicy != nil {
			r.Attrs["eviction_policy"] = specEviction(*p.EvictionPolicy)
		}
		r.Attrs["persistence"] = readPersistence(p.Persistence)
		if p.ProvisioningState != nil {
			r.Private[privState] = string(*p.ProvisioningState)
		}
		if host != "" && p.Port != nil {
			role := "primary"
			if spec.Layout == topology.LayoutCluster {
				role = "configuration"
			}
			r.Endpoints = []providers.Endpoint{{Host: host, Port: int(*p.Port), Role: role}}
		}
	}
	// A policy Azure returns unset is the service default.
	if r.Attrs["clustering_policy"] == "" {
		r.Attrs["clustering_policy"] = string(PolicyOSSCluster)
	}
	return r
}

func readPersistence(p *armredisenterprise.Persistence) string {
	switch {
	case p == nil:
		return "none"
	case p.AofEnabled != nil && *p.AofEnabled:
		f := "1s"
		if p.AofFrequency != nil {
			f = string(*p.AofFrequency)
		}
		return "aof/" + f
	case p.RdbEnabled != nil && *p.RdbEnabled:
		f := "1h"
		if p.RdbFrequency != nil {
			f = string(*p.RdbFrequency)
		}
		return "rdb/" + f
	}
	return "none"
}

// persistenceParam is the API's persistence block for an attribute value.
func persistenceParam(attr string) *armredisenterprise.Persistence {
	mode, freq, _ := strings.Cut(attr, "/")
	p := &armredisenterprise.Persistence{AofEnabled: ptr(false), RdbEnabled: ptr(false)}
	switch mode {
	case "aof":
		p.AofEnabled, p.AofFrequency = ptr(true), ptr(armredisenterprise.AofFrequency(freq))
	case "rdb":
		p.RdbEnabled, p.RdbFrequency = ptr(true), ptr(armredisenterprise.RdbFrequency(freq))
	}
	return p
}

// armID is the parts of an ARM resource ID redisctl needs.
type armID struct{ subscription, resourceGroup, name string }

func parseID(id string) armID {
	seg := strings.Split(strings.Trim(id, "/"), "/")
	var out armID
	for i := 0; i+1 < len(seg); i += 2 {
		switch strings.ToLower(seg[i]) {
		case "subscriptions":
			out.subscription = seg[i+1]
		case "resourcegroups":
			out.resourceGroup = seg[i+1]
		case "redisenterprise", "redis":
			out.name = seg[i+1]
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// tagValues reads the tags the SDK returns (nil values read as "").
func tagValues(tags map[string]*string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = deref(v)
	}
	return out
}

func tagPtrs(tags map[string]string) map[string]*string {
	out := map[string]*string{}
	for k, v := range tags {
		out[k] = ptr(v)
	}
	return out
}
