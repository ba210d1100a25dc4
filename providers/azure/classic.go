package azure

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redis/armredis/v2"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// classicTier is the classic tier a spec maps to.
func classicTier(spec *topology.Spec, s Settings) ClassicTier {
	switch {
	case s.ClassicTier != "":
		return s.ClassicTier
	case spec.Layout == topology.LayoutSingle:
		return "Basic"
	case spec.Layout == topology.LayoutCluster || spec.Replicas > 1:
		return "Premium"
	}
	return "Standard"
}

func classicPersistence(spec *topology.Spec) string {
	if spec.Persistence.Mode == "" {
		return string(topology.PersistenceNone)
	}
	return string(spec.Persistence.Mode)
}

// desiredClassic is the existing classic cache as the spec describes it.
func desiredClassic(d providers.Deployment, sub string) providers.Resource {
	spec := d.Spec
	s := settings(spec)
	tier := classicTier(spec, s)
	size, _ := chooseClassicSize(familyOf(tier), spec.Memory.Bytes)
	shards, replicas := 0, 0
	if spec.Layout == topology.LayoutCluster {
		shards = spec.Shards
	}
	if tier != "Basic" {
		replicas = spec.Replicas
	}
	tags := desiredTags(spec)
	return providers.Resource{
		Type: typeCache, Name: nameCache,
		Attrs: map[string]string{
			"name":                 s.ClassicCache,
			"sku":                  classicSKUString(tier, size.Family, size.Capacity),
			"shard_count":          strconv.Itoa(shards),
			"replicas_per_primary": strconv.Itoa(replicas),
			"maxmemory_policy":     string(spec.EvictionPolicy),
			"non_ssl_port":         enabled(!spec.TLS.Enabled),
			"minimum_tls_version":  "1.2",
			"persistence":          classicPersistence(spec),
			"tags":                 encodeTags(tags),
		},
		Private: map[string]string{privTagKeys: tagKeys(tags), privSub: sub, "resource_group": s.ResourceGroup},
	}
}

// classic checks a spec that manages an existing classic cache.
func (v *validation) classic() {
	spec, s := v.Spec, v.s
	for path, set := range map[string]bool{
		"provider.clusterName": s.ClusterName != "", "provider.tier": s.Tier != "", "provider.sku": s.SKU != "",
		"provider.clusteringPolicy": s.ClusteringPolicy != "", "provider.publicNetworkAccess": s.PublicNetworkAccess != "",
		"provider.rdbFrequency": s.RDBFrequency != "", "provider.location": s.Location != "",
		"provider.accessKeys": s.AccessKeys != "",
	} {
		if set {
			v.Problemf(path, "%s applies to Azure Managed Redis only; an existing classic cache (provider.classicCache) keeps its own", strings.TrimPrefix(path, "provider."))
		}
	}
	if !clusterNameRE.MatchString(s.ClassicCache) {
		v.Problemf("provider.classicCache", "%q is not an Azure Cache for Redis name (letters, digits and '-')", s.ClassicCache)
	}
	tier := classicTier(spec, s)
	switch spec.Layout {
	case topology.LayoutSingle:
		if tier != "Basic" {
			v.Problemf("provider.classicTier", "layout single is a Basic cache (no replica); a %s cache has replicas: use layout ha", tier)
		}
	case topology.LayoutHA:
		switch {
		case tier == "Basic":
			v.Problemf("provider.classicTier", "a Basic cache has no replica: use layout single for it")
		case tier == "Standard" && spec.Replicas != 1:
			v.Problemf("replicas", "a Standard cache has exactly one replica; set replicas: 1, or classicTier: Premium for 1 to 3")
		case spec.Replicas < 1 || spec.Replicas > 3:
			v.Problemf("replicas", "a Premium cache has 1 to 3 replicas per primary")
		}
	case topology.LayoutCluster:
		if tier != "Premium" {
			v.Problemf("provider.classicTier", "clustering needs a Premium cache")
		}
		if spec.Shards > 30 {
			v.Problemf("shards", "a Premium cache has at most 30 shards")
		}
		if spec.Replicas < 1 || spec.Replicas > 3 {
			v.Problemf("replicas", "a Premium cache has 1 to 3 replicas per primary")
		}
	}
	if _, ok := chooseClassicSize(familyOf(tier), spec.Memory.Bytes); !ok {
		max := "53Gi (C6)"
		if tier == "Premium" {
			max = "120Gi (P5)"
		}
		v.Problemf("memory", "a %s cache holds at most %s per shard", tier, max)
	}
	if spec.Persistence.Mode != topology.PersistenceNone && tier != "Premium" {
		v.Problemf("persistence.mode", "persistence needs a Premium cache")
	}
}

// cacheResource is a classic cache as Azure reports it.
func cacheResource(c armredis.ResourceInfo, prev providers.Resource, spec *topology.Spec) providers.Resource {
	id := parseID(deref(c.ID))
	real := tagValues(c.Tags)
	r := providers.Resource{
		Type: typeCache, Name: nameCache, ID: deref(c.ID),
		Attrs: map[string]string{
			"name":                deref(c.Name),
			"minimum_tls_version": "1.0",
			"shard_count":         "0",
			"persistence":         "none",
			"tags":                encodeTags(managedTags(real, prev.Private[privTagKeys], spec)),
		},
		Private: map[string]string{privSub: id.subscription, "resource_group": id.resourceGroup,
			privTagKeys: unionKeys(prev.Private[privTagKeys], desiredTags(spec)), "location": normLocation(deref(c.Location))},
	}
	p := c.Properties
	if p == nil {
		return r
	}
	if p.SKU != nil {
		r.Attrs["sku"] = classicSKUString(ClassicTier(deref(p.SKU.Name)), string(deref(p.SKU.Family)), int(deref(p.SKU.Capacity)))
	}
	if p.ShardCount != nil {
		r.Attrs["shard_count"] = strconv.Itoa(int(*p.ShardCount))
	}
	replicas := p.ReplicasPerPrimary
	if replicas == nil {
		replicas = p.ReplicasPerMaster
	}
	if p.SKU != nil && deref(p.SKU.Name) == armredis.SKUNameBasic {
		r.Attrs["replicas_per_primary"] = "0"
	} else {
		r.Attrs["replicas_per_primary"] = strconv.Itoa(int(deref(replicas)))
	}
	r.Attrs["non_ssl_port"] = enabled(deref(p.EnableNonSSLPort))
	if p.MinimumTLSVersion != nil {
		r.Attrs["minimum_tls_version"] = string(*p.MinimumTLSVersion)
	}
	if rc := p.RedisConfiguration; rc != nil {
		r.Attrs["maxmemory_policy"] = deref(rc.MaxmemoryPolicy)
		switch {
		case strings.EqualFold(deref(rc.AofBackupEnabled), "true"):
			r.Attrs["persistence"] = "aof"
		case strings.EqualFold(deref(rc.RdbBackupEnabled), "true"):
			r.Attrs["persistence"] = "rdb"
		}
	}
	if p.ProvisioningState != nil {
		r.Private[privState] = string(*p.ProvisioningState)
	}
	if p.HostName != nil {
		role := "primary"
		if r.Attrs["shard_count"] != "0" {
			role = "configuration"
		}
		port := int(deref(p.SSLPort))
		if spec != nil && !spec.TLS.Enabled && p.Port != nil {
			port = int(*p.Port)
		}
		r.Endpoints = []providers.Endpoint{{Host: *p.HostName, Port: port, Role: role}}
	}
	return r
}

// cacheUpdate is the PATCH body for the attributes that differ.
func cacheUpdate(want map[string]string, have map[string]string, realTags map[string]string, tagKeysPrev string) (armredis.UpdateParameters, []string) {
	var u armredis.UpdateParameters
	props := &armredis.UpdateProperties{}
	var changed []string
	diff := func(k string) bool {
		if want[k] != "" && want[k] != have[k] {
			changed = append(changed, k)
			return true
		}
		return false
	}
	if diff("sku") {
		tier, family, capacity, _ := parseClassicSKU(want["sku"])
		props.SKU = &armredis.SKU{Name: ptr(armredis.SKUName(tier)), Family: ptr(armredis.SKUFamily(family)), Capacity: ptr(int32(capacity))}
	}
	if diff("shard_count") {
		n, _ := strconv.Atoi(want["shard_count"])
		props.ShardCount = ptr(int32(n))
	}
	if diff("replicas_per_primary") {
		n, _ := strconv.Atoi(want["replicas_per_primary"])
		props.ReplicasPerPrimary = ptr(int32(n))
	}
	if diff("maxmemory_policy") {
		props.RedisConfiguration = &armredis.CommonPropertiesRedisConfiguration{MaxmemoryPolicy: ptr(want["maxmemory_policy"])}
	}
	if diff("non_ssl_port") {
		props.EnableNonSSLPort = ptr(want["non_ssl_port"] == "Enabled")
	}
	if diff("minimum_tls_version") {
		props.MinimumTLSVersion = ptr(armredis.TLSVersion(want["minimum_tls_version"]))
	}
	if diff("tags") {
		u.Tags = tagPtrs(mergeTags(realTags, tagKeysPrev, want["tags"]))
	}
	if len(changed) > 0 && (len(changed) > 1 || changed[0] != "tags") {
		u.Properties = props
	}
	return u, changed
}

// mergeTags replaces the tags redisctl manages in real with the wanted
// ones and keeps everyone else's.
func mergeTags(real map[string]string, managedKeys string, wanted string) map[string]string {
	out := map[string]string{}
	for k, v := range real {
		out[k] = v
	}
	for _, k := range strings.Split(managedKeys, ",") {
		delete(out, k)
	}
	for _, kv := range strings.Split(wanted, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func classicMemory(r providers.Resource) (int64, error) {
	_, family, capacity, ok := parseClassicSKU(r.Attrs["sku"])
	if !ok {
		return 0, fmt.Errorf("unknown classic SKU %q", r.Attrs["sku"])
	}
	return classicBytes(family, capacity), nil
}
