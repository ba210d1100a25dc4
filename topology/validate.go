package topology

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Limits the validator enforces.
const (
	MaxReplicas = 5
	MaxShards   = 500
	MinMemory   = 1 << 20 // 1Mi
	// ClusterBusOffset is the distance from a cluster node's client port to
	// its cluster bus port, as in Redis.
	ClusterBusOffset = 10000
)

// Patterns shared by the validator and the JSON Schema.
const (
	namePattern       = `^[a-z][a-z0-9-]{0,39}$`
	labelKeyPattern   = `^[a-z][a-z0-9_-]{0,62}$`
	labelValuePattern = `^[a-z0-9_-]{0,63}$`
	providerPattern   = `^[a-z][a-z0-9-]*$`
)

var (
	nameRE       = regexp.MustCompile(namePattern)
	labelKeyRE   = regexp.MustCompile(labelKeyPattern)
	labelValueRE = regexp.MustCompile(labelValuePattern)
	providerRE   = regexp.MustCompile(providerPattern)
	hostLabelRE  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// reservedLabelPrefix marks labels redisctl sets itself (redisctl-deployment).
const reservedLabelPrefix = "redisctl-"

// Validate checks a defaulted spec as a whole and returns every problem (a
// Problems error), or nil. Load and Parse call it; code that builds a Spec
// itself calls Default and then Validate.
func Validate(s *Spec) error {
	var ps Problems
	for _, f := range validate(s) {
		ps = append(ps, f.Problem)
	}
	return ps.err()
}

// finding is a validation problem and the fields whose values led to it:
// when one of those failed to decode, the finding only echoes that mistake.
type finding struct {
	Problem
	deps []string
}

func validate(s *Spec) []finding {
	v := &validator{s: s}
	v.header()
	v.layout()
	v.zones()
	v.resources()
	v.network()
	v.labels()
	return v.found
}

type validator struct {
	s     *Spec
	found []finding
}

func (v *validator) addf(path, format string, args ...any) {
	v.found = append(v.found, finding{Problem: v.s.Problemf(path, format, args...)})
}

// addDepf is addf for a problem that also follows from the fields in deps.
func (v *validator) addDepf(deps []string, path, format string, args ...any) {
	v.found = append(v.found, finding{Problem: v.s.Problemf(path, format, args...), deps: deps})
}

func (v *validator) addKeyf(path, format string, args ...any) {
	v.found = append(v.found, finding{Problem: v.s.keyProblemf(path, format, args...)})
}

func (v *validator) enum(path string, value string, e Enum) {
	if !slices.Contains(e.EnumValues(), value) {
		v.addf(path, "%q is not one of %s", value, strings.Join(e.EnumValues(), ", "))
	}
}

func (v *validator) header() {
	s := v.s
	if s.APIVersion != APIVersion {
		v.addf("apiVersion", "%q is not supported; this redisctl reads apiVersion: %s", s.APIVersion, APIVersion)
	}
	if s.Kind != Kind {
		v.addf("kind", "%q is not supported; this redisctl reads kind: %s", s.Kind, Kind)
	}
	if err := CheckName(s.Name); err != nil {
		v.addf("name", "%s", err)
	}
	if !providerRE.MatchString(s.Provider.Name) {
		v.addf("provider.name", "%q is not a provider name (local, docker, aws, gcp, azure, digitalocean, ...)", s.Provider.Name)
	}
	v.enum("engine.name", string(s.Engine.Name), s.Engine.Name)
}

var layoutDep = []string{"layout"}

// CheckName reports whether name is a valid deployment name, and if not,
// why (for flags such as init's --name).
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("missing; give the deployment a name (lowercase letters, digits and '-', starting with a letter)")
	case !nameRE.MatchString(name):
		return fmt.Errorf("%q is not a valid name: start with a lowercase letter, then up to 39 lowercase letters, digits or '-'", name)
	}
	return nil
}

func (v *validator) layout() {
	s := v.s
	switch s.Layout {
	case LayoutSingle:
		if s.Replicas != 0 {
			v.addDepf(layoutDep, "replicas", "layout single has no replicas; use layout: ha for a primary with replicas")
		}
		if s.Shards > 1 || s.Shards < 0 {
			v.addDepf(layoutDep, "shards", "layout single has one shard; use layout: cluster to shard data")
		}
		if s.Sentinels != 0 {
			v.addDepf(layoutDep, "sentinels", "sentinels are for layout: ha")
		}
	case LayoutHA:
		if s.Sentinels < 1 || s.Sentinels%2 == 0 {
			v.addDepf(layoutDep, "sentinels", "must be odd and at least 1 so that a majority can agree a primary is down (e.g. 3), got %d", s.Sentinels)
		}
		v.replicas()
		if s.Shards != 0 {
			v.addDepf(layoutDep, "shards", "shards are for layout: cluster; an ha deployment has one primary")
		}
	case LayoutCluster:
		if s.Shards < 1 || s.Shards > MaxShards {
			v.addDepf(layoutDep, "shards", "must be between 1 and %d, got %d", MaxShards, s.Shards)
		}
		v.replicas()
		if s.Sentinels != 0 {
			v.addDepf(layoutDep, "sentinels", "sentinels are for layout: ha; a cluster detects failures and fails over by itself")
		}
	default:
		v.enum("layout", string(s.Layout), s.Layout)
	}
}

func (v *validator) replicas() {
	if r := v.s.Replicas; r < 0 || r > MaxReplicas {
		v.addDepf(layoutDep, "replicas", "must be between 0 and %d, got %d", MaxReplicas, r)
	}
}

func (v *validator) zones() {
	s := v.s
	seen := map[string]bool{}
	for i, z := range s.Zones {
		path := fmt.Sprintf("zones[%d]", i)
		switch {
		case strings.TrimSpace(z) == "":
			v.addf(path, "a zone name cannot be empty")
		case seen[z]:
			v.addf(path, "zone %q is listed twice", z)
		}
		seen[z] = true
	}
	if len(s.Zones) == 1 && s.Replicas > 0 && s.Layout != LayoutSingle {
		v.addDepf([]string{"layout", "replicas"}, "zones", "with replicas, give at least 2 zones so that a replica can avoid its primary's zone")
	}
}

func (v *validator) resources() {
	s := v.s
	if s.Memory.Bytes < MinMemory {
		v.addf("memory", "must be at least 1Mi, got %s", s.Memory)
	}
	v.enum("evictionPolicy", string(s.EvictionPolicy), s.EvictionPolicy)
	v.enum("persistence.mode", string(s.Persistence.Mode), s.Persistence.Mode)
	if f := s.Persistence.Fsync; f != "" {
		if s.Persistence.Mode != PersistenceAOF {
			v.addDepf([]string{"persistence.mode"}, "persistence.fsync", "fsync applies only to persistence mode aof (mode is %s); remove it or set mode: aof", s.Persistence.Mode)
		} else {
			v.enum("persistence.fsync", string(f), f)
		}
	}
}

func (v *validator) network() {
	s := v.s
	n := s.Network
	switch last := n.BasePort + nodeCount(s) - 1; {
	case n.BasePort < 1 || n.BasePort > 65535:
		v.addf("network.basePort", "must be between 1 and 65535, got %d", n.BasePort)
	case last > 65535:
		v.addDepf(countDeps, "network.basePort", "%d leaves no room for the %d nodes on consecutive ports (the last would be %d); use a lower base port", n.BasePort, nodeCount(s), last)
	case s.Layout == LayoutCluster && last+ClusterBusOffset > 65535:
		v.addDepf(countDeps, "network.basePort", "%d leaves no room for the cluster bus ports (client port + %d, at most 65535); use a base port of at most %d", n.BasePort, ClusterBusOffset, 65535-ClusterBusOffset-nodeCount(s)+1)
	}
	if n.Bind != "" && !validBind(n.Bind) {
		v.addf("network.bind", "%q is neither an IP address nor a host name", n.Bind)
	}
	for i, c := range n.AllowedCIDRs {
		if msg := checkCIDR(c); msg != "" {
			v.addf(fmt.Sprintf("network.allowedCIDRs[%d]", i), "%s", msg)
		}
	}
}

var countDeps = []string{"layout", "shards", "replicas", "sentinels"}

// nodeCount is how many nodes (data nodes and sentinels) the spec asks for,
// or 0 when the counts are out of range (reported elsewhere).
func nodeCount(s *Spec) int {
	if s.Replicas < 0 || s.Replicas > MaxReplicas || s.Sentinels < 0 || s.Shards < 0 || s.Shards > MaxShards {
		return 0
	}
	switch s.Layout {
	case LayoutSingle:
		return 1
	case LayoutHA:
		return 1 + s.Replicas + s.Sentinels
	case LayoutCluster:
		return s.Shards * (1 + s.Replicas)
	}
	return 0
}

func validBind(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	for _, l := range labels {
		if !hostLabelRE.MatchString(l) {
			return false
		}
	}
	// An all-numeric dotted name is a mistyped IPv4 address, not a host.
	return strings.Trim(s, "0123456789.") != ""
}

// checkCIDR explains what is wrong with a CIDR, or returns "".
func checkCIDR(c string) string {
	p, err := netip.ParsePrefix(c)
	if err != nil {
		if a, aerr := netip.ParseAddr(c); aerr == nil {
			return fmt.Sprintf("%q is an address, not a CIDR; write %s/%d for just that address", c, a, a.BitLen())
		}
		return fmt.Sprintf("%q is not a CIDR such as 10.0.0.0/8", c)
	}
	if m := p.Masked(); m != p {
		return fmt.Sprintf("%q has bits set after the /%d prefix; write %s (clouds store it that way, so anything else shows as a change on every plan)", c, p.Bits(), m)
	}
	return ""
}

func (v *validator) labels() {
	for _, k := range sortedKeys(v.s.Labels) {
		path := childPath("labels", k)
		switch {
		case !labelKeyRE.MatchString(k):
			v.addKeyf(path, "label key %q: use a lowercase letter then up to 62 lowercase letters, digits, '_' or '-' (the keys every cloud accepts)", k)
		case strings.HasPrefix(k, reservedLabelPrefix):
			v.addKeyf(path, "label keys starting with %q are reserved for the labels redisctl sets itself", reservedLabelPrefix)
		}
		if val := v.s.Labels[k]; !labelValueRE.MatchString(val) {
			v.addf(path, "label value %q: use at most 63 lowercase letters, digits, '_' or '-' (the values every cloud accepts)", val)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
