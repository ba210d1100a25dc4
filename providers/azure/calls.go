package azure

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// apiFields names each attribute as the API does.
var apiFields = map[string]string{
	"sku": "sku", "high_availability": "highAvailability", "public_network_access": "publicNetworkAccess",
	"minimum_tls_version": "minimumTlsVersion", "tags": "tags", "zones": "zones", "location": "location",
	"name": "name", "resource_group": "resourceGroup",
	"clustering_policy": "clusteringPolicy", "client_protocol": "clientProtocol", "eviction_policy": "evictionPolicy",
	"persistence": "persistence", "access_keys_auth": "accessKeysAuthentication", "port": "port",
	"shard_count": "shardCount", "replicas_per_primary": "replicasPerPrimary",
	"maxmemory_policy": "redisConfiguration.maxmemory-policy", "non_ssl_port": "enableNonSslPort",
}

// apiValue shows an attribute's value as the API takes it.
func apiValue(attr, v string) string {
	switch attr {
	case "eviction_policy":
		return string(evictionNames[topology.EvictionPolicy(v)])
	case "persistence":
		mode, freq, _ := strings.Cut(v, "/")
		switch mode {
		case "aof":
			return "{aofEnabled: true, aofFrequency: " + freq + "}"
		case "rdb":
			return "{rdbEnabled: true, rdbFrequency: " + freq + "}"
		}
		return "{aofEnabled: false, rdbEnabled: false}"
	case "non_ssl_port":
		return fmt.Sprint(v == "Enabled")
	case "zones", "tags":
		return "[" + v + "]"
	}
	return v
}

// fieldList renders attributes as API arguments, in name order.
func fieldList(attrs map[string]string, skip ...string) string {
	var names []string
	for k := range attrs {
		if !slices.Contains(skip, k) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		if attrs[n] == "" && (n == "zones" || n == "tags") {
			continue
		}
		parts = append(parts, apiFields[n]+"="+apiValue(n, attrs[n]))
	}
	return strings.Join(parts, ", ")
}

func changedFields(c providers.Change) string {
	changed := map[string]string{}
	for _, a := range c.Attrs {
		changed[a.Name] = a.After
	}
	return fieldList(changed)
}

// pollAsync is how every Managed Redis operation (and a classic delete or
// export) is waited for.
const pollAsync = "poll Azure-AsyncOperation until Succeeded"

// calls lists the API calls a change makes, in order, for the plan.
func calls(c providers.Change, s Settings) []string {
	r := c.After
	if r == nil {
		r = c.Before
	}
	var export []string
	switch {
	case s.FinalExport.IsZero():
	case r.Type == typeCache:
		export = []string{"Redis.ExportData(container=(sensitive SAS URL), prefix=<deployment>-final-<time>)", pollAsync}
	default:
		export = []string{"Databases.Export(sasUri=(sensitive SAS URL))", pollAsync}
	}
	if r.Type == typeCache {
		return cacheCalls(c, r.Attrs["name"], export)
	}
	return managedCalls(c, *r, export)
}

// managedCalls is calls for a Managed Redis cluster or database. Deleting
// the cluster deletes its database, whose delete exports first.
func managedCalls(c providers.Change, r providers.Resource, export []string) []string {
	api, del := "Databases", []string{"Databases.Delete(default)", pollAsync}
	create := []string{fmt.Sprintf("Databases.Create(default, %s)", fieldList(r.Attrs)), pollAsync}
	if r.Type == typeCluster {
		name := r.Attrs["name"]
		api, del = "RedisEnterprise", []string{"RedisEnterprise.Delete(" + name + ")", pollAsync}
		create = []string{fmt.Sprintf("RedisEnterprise.Create(%s)", fieldList(r.Attrs, "resource_group")), pollAsync, "RedisEnterprise.Get(" + name + ") until resourceState Running"}
	}
	switch c.Action {
	case providers.ActionCreate:
		return create
	case providers.ActionUpdate:
		if len(c.Attrs) == 0 {
			return []string{"resume the interrupted operation: " + pollAsync}
		}
		return []string{fmt.Sprintf("%s.Update(%s)", api, changedFields(c)), pollAsync}
	case providers.ActionReplace:
		return slices.Concat(export, del, create)
	case providers.ActionDelete:
		if r.Type == typeDatabase {
			return slices.Concat(export, del)
		}
		return del
	}
	return nil
}

// cacheCalls is calls for a classic Azure Cache for Redis.
func cacheCalls(c providers.Change, name string, export []string) []string {
	switch c.Action {
	case providers.ActionCreate:
		return []string{"Redis.Get(" + name + ") to adopt the existing cache (never Redis.Create)", "Redis.Update(tags += redisctl-deployment)"}
	case providers.ActionUpdate:
		if len(c.Attrs) == 0 {
			return []string{"resume the interrupted operation: poll provisioningState until Succeeded"}
		}
		return []string{fmt.Sprintf("Redis.Update(%s)", changedFields(c)), "poll provisioningState until Succeeded"}
	case providers.ActionDelete:
		return slices.Concat(export, []string{"Redis.Delete(" + name + ")", pollAsync})
	}
	return nil
}
