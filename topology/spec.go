// Package topology defines the deployment spec (the versioned YAML a user
// writes), loads it strictly, defaults and validates it, and plans it into
// nodes with roles, shards, slot ranges and sentinels.
package topology

import "gopkg.in/yaml.v3"

// APIVersion and Kind identify the only spec version this build reads.
const (
	APIVersion = "redisctl.io/v1alpha1"
	Kind       = "Deployment"
)

// Spec is one deployment as the user describes it. Field comments are the
// user-facing reference: `redisctl schema` and docs/spec.md are generated
// from them.
type Spec struct {
	// APIVersion must be "redisctl.io/v1alpha1".
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	// Kind must be "Deployment".
	Kind string `yaml:"kind" json:"kind"`
	// Name identifies the deployment: a lowercase letter, then up to 39 lowercase letters,
	// digits or '-'. It names the state file and tags every resource.
	Name string `yaml:"name" json:"name"`
	// Labels are attached to every resource the provider creates. Keys are a lowercase
	// letter then up to 62 lowercase letters, digits, '_' or '-'; values are up to 63
	// of those: the set every cloud accepts. Keys starting with redisctl- are reserved.
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`

	// Layout is single (one server), ha (a primary, replicas and sentinels) or cluster
	// (sharded, Redis Cluster) (default single).
	Layout Layout `yaml:"layout" json:"layout"`
	// Shards is the number of primaries in a cluster layout, 1 to 500 (default 3); the
	// 16384 hash slots are split evenly between them.
	Shards int `yaml:"shards,omitempty" json:"shards,omitempty"`
	// Replicas is the number of replicas per primary, 0 to 5 (ha and cluster default 1;
	// single has none).
	Replicas int `yaml:"replicas,omitempty" json:"replicas,omitempty"`
	// Sentinels is the number of sentinels watching an ha primary: odd, so that a majority
	// can agree the primary is down (default 3; ha only).
	Sentinels int `yaml:"sentinels,omitempty" json:"sentinels,omitempty"`
	// Zones to spread nodes over, e.g. [eu-west-1a, eu-west-1b]. A replica is never
	// placed in its primary's zone, so with replicas give at least two.
	Zones []string `yaml:"zones,omitempty" json:"zones,omitempty"`

	// Memory per data node, e.g. 512Mi or 4Gi (binary units Ki, Mi, Gi, Ti; decimal K, M,
	// G, T; or bytes), at least 1Mi; becomes maxmemory (default 256Mi).
	Memory Quantity `yaml:"memory" json:"memory"`
	// EvictionPolicy is what happens when memory is full: Redis's maxmemory-policy
	// (default noeviction: writes fail).
	EvictionPolicy EvictionPolicy `yaml:"evictionPolicy,omitempty" json:"evictionPolicy,omitempty"`
	// Persistence says how data survives a restart.
	Persistence Persistence `yaml:"persistence,omitempty" json:"persistence,omitempty"`
	// Auth configures the password clients must present.
	Auth Auth `yaml:"auth,omitempty" json:"auth,omitempty"`
	// TLS configures encryption in transit.
	TLS TLS `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Network configures addresses, ports and who may connect.
	Network Network `yaml:"network,omitempty" json:"network,omitempty"`
	// Engine selects the server software and version.
	Engine Engine `yaml:"engine,omitempty" json:"engine,omitempty"`
	// Provider says where the deployment runs (default local) and carries that provider's settings.
	Provider Provider `yaml:"provider,omitempty" json:"provider,omitempty"`

	// Source is the file the spec was read from ("" when built in code).
	Source string `yaml:"-" json:"-"`
	// src says where each field was written (nil when built in code).
	src *sourceMap
}

// Layout is the shape of a deployment.
type Layout string

// The layouts a spec may ask for.
const (
	LayoutSingle  Layout = "single"
	LayoutHA      Layout = "ha"
	LayoutCluster Layout = "cluster"
)

// EvictionPolicy is one of Redis's maxmemory-policy values.
type EvictionPolicy string

// The eviction policies Redis offers.
const (
	NoEviction     EvictionPolicy = "noeviction"
	AllKeysLRU     EvictionPolicy = "allkeys-lru"
	VolatileLRU    EvictionPolicy = "volatile-lru"
	AllKeysLFU     EvictionPolicy = "allkeys-lfu"
	VolatileLFU    EvictionPolicy = "volatile-lfu"
	AllKeysRandom  EvictionPolicy = "allkeys-random"
	VolatileRandom EvictionPolicy = "volatile-random"
	VolatileTTL    EvictionPolicy = "volatile-ttl"
)

// Persistence configures snapshots and the append-only file.
type Persistence struct {
	// Mode is none, rdb (periodic snapshots) or aof (append-only file) (default none).
	Mode PersistenceMode `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Fsync is the AOF fsync policy: always, everysec or no (default everysec; aof only).
	Fsync FsyncPolicy `yaml:"fsync,omitempty" json:"fsync,omitempty"`
}

// PersistenceMode says how data is kept on disk.
type PersistenceMode string

// The persistence modes.
const (
	PersistenceNone PersistenceMode = "none"
	PersistenceRDB  PersistenceMode = "rdb"
	PersistenceAOF  PersistenceMode = "aof"
)

// FsyncPolicy is Redis's appendfsync.
type FsyncPolicy string

// The AOF fsync policies.
const (
	FsyncAlways   FsyncPolicy = "always"
	FsyncEverySec FsyncPolicy = "everysec"
	FsyncNo       FsyncPolicy = "no"
)

// Auth configures client authentication.
type Auth struct {
	// Password is where the password clients must present comes from: env:NAME (an
	// environment variable), file:PATH (a file) or generate (redisctl makes one). Empty
	// means no password. A password written in the spec is refused.
	Password SecretRef `yaml:"password,omitempty" json:"password,omitempty"`
}

// SecretRef names where a secret comes from; it never holds the secret itself.
// It is written as text: env:NAME, file:PATH or generate.
type SecretRef struct {
	Source SecretSource
	// Name is the environment variable (env) or the file path (file).
	Name string
}

// SecretSource is the kind of place a secret is read from.
type SecretSource string

// The secret sources.
const (
	SecretNone     SecretSource = ""
	SecretEnv      SecretSource = "env"
	SecretFile     SecretSource = "file"
	SecretGenerate SecretSource = "generate"
)

// TLS configures encryption in transit.
type TLS struct {
	// Enabled turns TLS on for client connections (managed providers; default false).
	Enabled bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
}

// Network configures listening addresses and access.
type Network struct {
	// Bind is the address nodes listen on: an IP address or host name (default chosen by
	// the provider; local uses 127.0.0.1).
	Bind string `yaml:"bind,omitempty" json:"bind,omitempty"`
	// BasePort is the first port nodes are given, 1 to 65535; nodes take consecutive ports,
	// and cluster nodes also port + 10000 for the cluster bus (default 6379).
	BasePort int `yaml:"basePort,omitempty" json:"basePort,omitempty"`
	// AllowedCIDRs are the client networks allowed to connect (firewall / security
	// group), e.g. [10.0.0.0/8, 192.168.1.7/32].
	AllowedCIDRs []string `yaml:"allowedCIDRs,omitempty" json:"allowedCIDRs,omitempty"`
}

// Engine selects the server software.
type Engine struct {
	// Name is redis or valkey (default redis); managed services run that engine, VM and local providers run the bundled engine.
	Name EngineName `yaml:"name,omitempty" json:"name,omitempty"`
	// Version is the engine version, e.g. "7.1" (default depends on the provider).
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
}

// EngineName is the server software a deployment runs.
type EngineName string

// The engines.
const (
	EngineRedis  EngineName = "redis"
	EngineValkey EngineName = "valkey"
)

// Provider names the provider and keeps its own settings undecoded: each
// provider decodes them strictly itself (see DecodeSettings).
type Provider struct {
	// Name is the provider: local, docker, aws, gcp, azure or digitalocean (default
	// local). The block's other keys are that provider's settings.
	Name string `yaml:"name" json:"name"`
	// Settings holds every other key of the provider block, for the provider to decode.
	Settings *yaml.Node `yaml:"-" json:"-"`
}

// Role is what a node does in the layout.
type Role string

// The node roles.
const (
	RolePrimary  Role = "primary"
	RoleReplica  Role = "replica"
	RoleSentinel Role = "sentinel"
)

// SlotCount is the number of Redis Cluster hash slots.
const SlotCount = 16384

// SlotRange is an inclusive range of cluster hash slots.
type SlotRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Node is one server the layout asks for. Names are stable identities: a
// node keeps its name when other nodes are added or removed.
type Node struct {
	// Name is "node-N" (single, ha), "shard-S-N" (cluster) or "sentinel-N".
	Name string
	Role Role
	// Shard is the node's shard index (0 outside cluster layouts).
	Shard int
	// Primary is the name of the primary a replica follows ("" otherwise).
	Primary string
	// Zone is where the node is placed ("" when the spec gives no zones).
	Zone string
	// Slots are the hash slots a cluster primary serves.
	Slots []SlotRange
}

// NodePlan is the layout planner's answer: every node the spec asks for, in a
// stable order (data nodes by shard then ordinal, then sentinels).
type NodePlan struct {
	Layout Layout
	Nodes  []Node
	// Quorum is the number of sentinels that must agree a primary is down (ha).
	Quorum int
	// MasterName is the name sentinels monitor the primary under (ha).
	MasterName string
}
