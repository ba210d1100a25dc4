package azure

import (
	"fmt"
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
		if !contains(skip, k) {
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// calls lists the API calls a change makes, in order, for the plan.
func calls(c providers.Change, s Settings) []string {
	const pollAsync = "poll Azure-AsyncOperation until Succeeded"
	r := c.After
	if r == nil {
		r = c.Before
	}
	export := func() []string {
		if s.FinalExport.IsZero() {
			return nil
		}
		if r.Type == typeCache {
			return []string{"Redis.ExportData(container=(sensitive SAS URL), prefix=<deployment>-final-<time>)", pollAsync}
		}
		return []string{"Databases.Export(sasUri=(sensitive SAS URL))", pollAsync}
	}
	var out []string
	switch r.Type {
	case typeCluster:
		name := r.Attrs["name"]
		create := []string{fmt.Sprintf("RedisEnterprise.Create(%s)", fieldList(r.Attrs, "resource_group")), pollAsync, "RedisEnterprise.Get(" + name + ") until resourceState Running"}
		del := []string{"RedisEnterprise.Delete(" + name + ")", pollAsync}
		switch c.Action {
		case providers.ActionCreate:
			out = create
		case providers.ActionUpdate:
			if len(c.Attrs) == 0 {
				return []string{"resume the interrupted operation: " + pollAsync}
			}
			out = []string{fmt.Sprintf("RedisEnterprise.Update(%s)", changedFields(c)), pollAsync}
		case providers.ActionReplace:
			out = append(append(export(), del...), create...)
		case providers.ActionDelete:
			out = del
		}
	case typeDatabase:
		create := []string{fmt.Sprintf("Databases.Create(default, %s)", fieldList(r.Attrs)), pollAsync}
		del := []string{"Databases.Delete(default)", pollAsync}
		switch c.Action {
		case providers.ActionCreate:
			out = create
		case providers.ActionUpdate:
			if len(c.Attrs) == 0 {
				return []string{"resume the interrupted operation: " + pollAsync}
			}
			out = []string{fmt.Sprintf("Databases.Update(%s)", changedFields(c)), pollAsync}
		case providers.ActionReplace:
			out = append(append(export(), del...), create...)
		case providers.ActionDelete:
			out = append(export(), del...)
		}
	case typeCache:
		name := r.Attrs["name"]
		switch c.Action {
		case providers.ActionCreate:
			out = []string{"Redis.Get(" + name + ") to adopt the existing cache (never Redis.Create)", "Redis.Update(tags += redisctl-deployment)"}
		case providers.ActionUpdate:
			if len(c.Attrs) == 0 {
				return []string{"resume the interrupted operation: poll provisioningState until Succeeded"}
			}
			out = []string{fmt.Sprintf("Redis.Update(%s)", changedFields(c)), "poll provisioningState until Succeeded"}
		case providers.ActionDelete:
			out = append(export(), "Redis.Delete("+name+")", pollAsync)
		}
	}
	return out
}
