package aws

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/topology"
)

// nodeType is a cache node type and the memory it offers.
type nodeType struct {
	Name string
	// GiB is the memory ElastiCache lists for the type.
	GiB float64
}

func (n nodeType) bytes() int64 { return int64(n.GiB * (1 << 30)) }

// ladder is what redisctl picks from when the spec gives memory but no
// node type: the smallest current-generation Graviton type that offers at
// least the memory asked for (burstable t4g for small caches, m7g where it
// is the only step, then memory-optimized r7g).
var ladder = []nodeType{
	{"cache.t4g.micro", 0.5},
	{"cache.t4g.small", 1.37},
	{"cache.t4g.medium", 3.09},
	{"cache.m7g.large", 6.38},
	{"cache.r7g.large", 13.07},
	{"cache.r7g.xlarge", 26.32},
	{"cache.r7g.2xlarge", 52.82},
	{"cache.r7g.4xlarge", 105.81},
	{"cache.r7g.8xlarge", 209.55},
	{"cache.r7g.12xlarge", 317.77},
	{"cache.r7g.16xlarge", 419.09},
}

// knownTypes are the node types whose memory redisctl knows (for plan notes
// and status); a node type outside it is accepted with a warning.
var knownTypes = append(slices.Clone(ladder),
	nodeType{"cache.t3.micro", 0.5}, nodeType{"cache.t3.small", 1.37}, nodeType{"cache.t3.medium", 3.09},
	nodeType{"cache.m6g.large", 6.38}, nodeType{"cache.m6g.xlarge", 12.93}, nodeType{"cache.m6g.2xlarge", 26.04},
	nodeType{"cache.m6g.4xlarge", 52.26}, nodeType{"cache.m6g.8xlarge", 103.68}, nodeType{"cache.m6g.12xlarge", 157.12},
	nodeType{"cache.m6g.16xlarge", 209.55},
	nodeType{"cache.m7g.xlarge", 12.93}, nodeType{"cache.m7g.2xlarge", 26.04}, nodeType{"cache.m7g.4xlarge", 52.26},
	nodeType{"cache.m7g.8xlarge", 103.68}, nodeType{"cache.m7g.12xlarge", 157.12}, nodeType{"cache.m7g.16xlarge", 209.55},
	nodeType{"cache.r6g.large", 13.07}, nodeType{"cache.r6g.xlarge", 26.32}, nodeType{"cache.r6g.2xlarge", 52.82},
	nodeType{"cache.r6g.4xlarge", 105.81}, nodeType{"cache.r6g.8xlarge", 209.55}, nodeType{"cache.r6g.12xlarge", 317.77},
	nodeType{"cache.r6g.16xlarge", 419.09},
)

func lookupNodeType(name string) (nodeType, bool) {
	i := slices.IndexFunc(knownTypes, func(n nodeType) bool { return n.Name == name })
	if i < 0 {
		return nodeType{}, false
	}
	return knownTypes[i], true
}

// pickNodeType returns the smallest ladder type offering at least want bytes.
func pickNodeType(want int64) (nodeType, bool) {
	for _, n := range ladder {
		if n.bytes() >= want {
			return n, true
		}
	}
	return nodeType{}, false
}

func largest() nodeType { return ladder[len(ladder)-1] }

func gib(n nodeType) string { return strconv.FormatFloat(n.GiB, 'f', -1, 64) + " GiB" }

// engineVersion is one engine version ElastiCache offers.
type engineVersion struct {
	Engine topology.EngineName
	// Version is what specs and state write (major.minor).
	Version string
	// API is what CreateReplicationGroup is sent.
	API string
	// Family is the parameter group family.
	Family string
}

var engineVersions = []engineVersion{
	{topology.EngineRedis, "5.0", "5.0.6", "redis5.0"},
	{topology.EngineRedis, "6.0", "6.0", "redis6.x"},
	{topology.EngineRedis, "6.2", "6.2", "redis6.x"},
	{topology.EngineRedis, "7.0", "7.0", "redis7"},
	{topology.EngineRedis, "7.1", "7.1", "redis7"},
	{topology.EngineValkey, "7.2", "7.2", "valkey7"},
	{topology.EngineValkey, "8.0", "8.0", "valkey8"},
	{topology.EngineValkey, "8.1", "8.1", "valkey8"},
}

// defaultVersion is the version used when the spec names none.
var defaultVersion = map[topology.EngineName]string{topology.EngineRedis: "7.1", topology.EngineValkey: "8.0"}

func lookupVersion(engine topology.EngineName, v string) (engineVersion, bool) {
	i := slices.IndexFunc(engineVersions, func(e engineVersion) bool { return e.Engine == engine && e.Version == v })
	if i < 0 {
		return engineVersion{}, false
	}
	return engineVersions[i], true
}

func versionsOf(engine topology.EngineName) []string {
	var out []string
	for _, e := range engineVersions {
		if e.Engine == engine {
			out = append(out, e.Version)
		}
	}
	return out
}

// majorMinor normalises what the API reports ("7.1.0", "6.2.6") to the
// form specs and state use ("7.1", "6.2").
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// compareVersions orders engine versions; Valkey counts as newer than every
// Redis OSS version, since ElastiCache upgrades Redis OSS to Valkey in place.
func compareVersions(engineA, a, engineB, b string) int {
	if engineA != engineB {
		if engineA == string(topology.EngineRedis) {
			return -1
		}
		return 1
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// transitInPlace reports whether the engine can turn encryption in transit
// on or off without replacing the group (Redis OSS 7.0.5+, Valkey).
func transitInPlace(engine, version string) bool {
	if engine == string(topology.EngineValkey) {
		return true
	}
	return compareVersions(engine, version, engine, "7.0") >= 0
}

// parameterGroupSuffix turns a family into a name part ("redis6.x" → "redis6x").
func parameterGroupSuffix(family string) string { return strings.ReplaceAll(family, ".", "") }

func describeEngines() string {
	return fmt.Sprintf("redis %s; valkey %s", strings.Join(versionsOf(topology.EngineRedis), ", "), strings.Join(versionsOf(topology.EngineValkey), ", "))
}
