package gcp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redisctl/redisctl/providers"
)

// step is one API call of an in-place update, with the attributes it
// brings to their desired values. Its key names its journal entry.
type step struct {
	key   string
	attrs []string
	// mask is the UpdateInstance/UpdateCluster field mask (nil for UpgradeInstance).
	mask []string
}

// instanceSteps orders an instance update: memory first (read replicas
// need 5 GB nodes), then replicas, then settings, then the version upgrade.
func instanceSteps(before, after map[string]string) []step {
	changed := changedAttrs(before, after)
	var out []step
	if changed["memory_size_gb"] {
		out = append(out, step{key: "update:memory", attrs: []string{"memory_size_gb"}, mask: []string{"memory_size_gb"}})
	}
	if changed["replica_count"] || changed["read_replicas_mode"] {
		s := step{key: "update:replicas", attrs: []string{"replica_count", "read_replicas_mode"}, mask: []string{"replica_count"}}
		if changed["read_replicas_mode"] {
			s.mask = append(s.mask, "read_replicas_mode", "secondary_ip_range")
		}
		out = append(out, s)
	}
	out = appendSettings(out, changed, []attrPath{
		{"maxmemory_policy", "redis_configs"},
		{"persistence", "persistence_config"},
		{"rdb_snapshot_period", "persistence_config"},
		{"auth_enabled", "auth_enabled"},
		{"labels", "labels"},
		{"maintenance_window", "maintenance_policy"},
	})
	if changed["redis_version"] {
		out = append(out, step{key: "upgrade", attrs: []string{"redis_version"}})
	}
	return out
}

// clusterSteps orders a cluster update: the service scales one dimension
// per operation, so node type, shards and replicas each get their own.
func clusterSteps(before, after map[string]string) []step {
	changed := changedAttrs(before, after)
	var out []step
	for _, a := range []struct{ attr, key string }{
		{"node_type", "update:node_type"},
		{"shard_count", "update:shards"},
		{"replica_count", "update:replicas"},
	} {
		if changed[a.attr] {
			out = append(out, step{key: a.key, attrs: []string{a.attr}, mask: []string{a.attr}})
		}
	}
	return appendSettings(out, changed, []attrPath{
		{"maxmemory_policy", "redis_configs"},
		{"persistence", "persistence_config"},
		{"rdb_snapshot_period", "persistence_config"},
		{"aof_fsync", "persistence_config"},
		{"maintenance_window", "maintenance_policy"},
	})
}

// attrPath is a settings attribute and the update mask path that sets it.
type attrPath struct{ attr, path string }

// appendSettings adds one "update:settings" step for the changed settings
// (none when nothing changed); attributes sharing a path share its mask entry.
func appendSettings(out []step, changed map[string]bool, settings []attrPath) []step {
	s := step{key: "update:settings"}
	for _, a := range settings {
		if changed[a.attr] {
			s.attrs = append(s.attrs, a.attr)
			if !slices.Contains(s.mask, a.path) {
				s.mask = append(s.mask, a.path)
			}
		}
	}
	if len(s.attrs) == 0 {
		return out
	}
	return append(out, s)
}

// changedAttrs lists the attributes after sets to a new value.
func changedAttrs(before, after map[string]string) map[string]bool {
	out := map[string]bool{}
	for k, v := range after {
		if before[k] != v {
			out[k] = true
		}
	}
	return out
}

// satisfied reports whether live already has the step's desired values.
func (s step) satisfied(live, after map[string]string) bool {
	for _, a := range s.attrs {
		if want, ok := after[a]; ok && live[a] != want {
			return false
		}
	}
	return true
}

// call describes the step for Change.Calls.
func (s step) call(r providers.Resource) string {
	var vals []string
	for _, a := range s.attrs {
		if v, ok := r.Attrs[a]; ok {
			vals = append(vals, a+"="+v)
		}
	}
	switch {
	case s.key == "upgrade":
		return fmt.Sprintf("UpgradeInstance(redisVersion=%s)", r.Attrs["redis_version"])
	case r.Type == typeCluster:
		return fmt.Sprintf("UpdateCluster(updateMask=%s; %s)", strings.Join(s.mask, ","), strings.Join(vals, ", "))
	}
	return fmt.Sprintf("UpdateInstance(updateMask=%s; %s)", strings.Join(s.mask, ","), strings.Join(vals, ", "))
}
