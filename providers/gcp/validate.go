package gcp

import (
	"context"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Validate decodes the provider block and checks the spec against what
// Memorystore offers. It makes no API call and needs no credentials.
func (p *Provider) Validate(_ context.Context, req providers.ValidateRequest) (*providers.ValidateResponse, error) {
	_, resp, err := resolve(req.Spec)
	return resp, err
}

// resolve decodes and checks a spec. The returned resolved value is usable
// only when resp has no problems.
func resolve(spec *topology.Spec) (*resolved, *providers.ValidateResponse, error) {
	var s Settings
	if resp, err := providers.DecodeSettings(spec, &s); resp != nil || err != nil {
		return nil, resp, err
	}
	resp := &providers.ValidateResponse{}
	r := &resolved{spec: spec, settings: s, id: s.InstanceID}
	if r.id == "" {
		r.id = spec.Name
	}
	r.parent = "projects/" + s.Project + "/locations/" + s.Region
	c := &checker{providers.Findings{Spec: spec, Response: resp}}
	c.settings(r)
	c.engine()
	c.auth()
	if r.cluster() {
		c.cluster(r)
	} else {
		c.instance(r)
	}
	c.network()
	return r, resp, nil
}

type checker struct{ providers.Findings }

func (c *checker) settings(r *resolved) {
	s := r.settings
	switch {
	case s.Project == "":
		c.Problemf("provider.project", "required: the Google Cloud project ID that owns the Memorystore instance (e.g. project: my-project)")
	case !projectPattern.MatchString(s.Project):
		c.Problemf("provider.project", "%q is not a project ID: 6 to 30 lowercase letters, digits or hyphens, starting with a letter", s.Project)
	}
	switch {
	case s.Region == "":
		c.Problemf("provider.region", "required: the region to run in (e.g. region: us-central1)")
	case !regionPattern.MatchString(s.Region):
		c.Problemf("provider.region", "%q is not a region name such as us-central1 or europe-west1", s.Region)
	}
	limit, what := maxInstanceIDLength, "an instance"
	if r.cluster() {
		limit, what = maxClusterIDLength, "a cluster"
	}
	if !idPattern.MatchString(r.id) || len(r.id) > limit {
		path, from := "provider.instanceId", "provider.instanceId"
		if s.InstanceID == "" {
			path, from = "name", "the deployment name"
		}
		c.Problemf(path, "%s %q cannot name %s: use 1 to %d lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (or set provider.instanceId)", from, r.id, what, limit)
	}
	if s.Network != "" && strings.Contains(s.Network, "/") && !strings.HasPrefix(s.Network, "projects/") {
		c.Problemf("provider.network", "%q: give a network name in the project (e.g. default) or projects/PROJECT/global/networks/NAME", s.Network)
	}
	if w := s.MaintenanceWindow; w != nil {
		if w.Day == "" {
			c.Problemf("provider.maintenanceWindow.day", "required: the day of the week (e.g. day: sunday)")
		}
		if !timePattern.MatchString(w.StartTime) {
			c.Problemf("provider.maintenanceWindow.startTime", "%q: want HH:MM in UTC, e.g. \"03:00\"", w.StartTime)
		}
	}
	if s.SnapshotPeriod != "" && c.Spec.Persistence.Mode != topology.PersistenceRDB {
		c.Problemf("provider.snapshotPeriod", "applies only to persistence mode rdb (mode is %s); remove it or set persistence.mode: rdb", c.Spec.Persistence.Mode)
	}
	if b := s.FinalSnapshotBucket; b != "" {
		if r.cluster() {
			c.Problemf("provider.finalSnapshotBucket", "clusters take a managed backup before deletion; finalSnapshotBucket is for instances")
		} else if !strings.HasPrefix(b, "gs://") || len(b) <= len("gs://") {
			c.Problemf("provider.finalSnapshotBucket", "%q: want a Cloud Storage location, gs://BUCKET or gs://BUCKET/PATH", b)
		}
	}
	if !r.cluster() && s.FinalSnapshotBucket == "" && !s.SkipFinalSnapshot {
		c.Warnf("destroying or replacing instance %s deletes its data without a final snapshot: set provider.finalSnapshotBucket: gs://BUCKET/PATH to export one first, or provider.skipFinalSnapshot: true", r.id)
	}
	if s.ReadReplicas != nil && c.Spec.Layout != topology.LayoutHA {
		c.Problemf("provider.readReplicas", "read replicas are for layout ha (a Standard tier instance); remove it")
	}
	if s.NodeType != "" && !r.cluster() {
		c.Problemf("provider.nodeType", "node types are for layout cluster; instances are sized by memory")
	}
	if s.ConnectMode != "" && r.cluster() {
		c.Problemf("provider.connectMode", "Memorystore for Redis Cluster always connects through Private Service Connect; remove connectMode")
	}
}

func (c *checker) engine() {
	if c.Spec.Engine.Name == topology.EngineValkey {
		c.Problemf("engine.name", "Memorystore for Redis runs Redis; Valkey is a separate service (Memorystore for Valkey) that redisctl does not drive yet: set engine.name: redis")
	}
}

func (c *checker) auth() {
	if c.Spec.Auth.Password.Source != topology.SecretNone {
		c.Problemf("auth.password", "Memorystore generates the AUTH string itself and cannot take a password: remove auth.password and set provider.authEnabled: true (redisctl output --show-secrets reads the AUTH string from the service)")
	}
}

func (c *checker) instance(r *resolved) {
	spec := c.Spec
	gbs := instanceGB(spec.Memory.Bytes)
	if gbs > maxInstanceGB {
		c.Problemf("memory", "Memorystore instances hold at most %d GB, got %s; use layout: cluster to shard the data", maxInstanceGB, spec.Memory)
	}
	if spec.Persistence.Mode == topology.PersistenceAOF {
		c.Problemf("persistence.mode", "Memorystore for Redis instances offer RDB snapshots only: use mode: rdb, or layout: cluster (Memorystore for Redis Cluster has AOF)")
	}
	v := spec.Engine.Version
	api, known := redisVersions[v]
	if v != "" && !known {
		c.Problemf("engine.version", "Memorystore offers Redis 3.2, 4.0, 5.0, 6.x, 7.0 and 7.2; got %q", v)
	}
	if api == "" {
		api = defaultInstanceRedis
	}
	switch spec.Layout {
	case topology.LayoutSingle:
		if len(spec.Zones) > 1 {
			c.Warnf("a Basic tier instance runs one node: only zone %s is used", spec.Zones[0])
		}
	case topology.LayoutHA:
		c.ha(r, gbs, api)
	}
}

func (c *checker) ha(r *resolved, gbs int, version string) {
	spec := c.Spec
	if spec.Replicas < 1 {
		c.Problemf("replicas", "a Memorystore Standard tier instance keeps at least one replica; use layout: single for a Basic tier instance without one")
		return
	}
	if !r.readReplicas() {
		if spec.Replicas != 1 {
			c.Problemf("provider.readReplicas", "without read replicas a Standard tier instance has exactly one replica (replicas: %d); remove readReplicas: false or set replicas: 1", spec.Replicas)
		}
	} else {
		if spec.Replicas > maxInstanceReplicas {
			c.Problemf("replicas", "a Standard tier instance has at most %d read replicas, got %d", maxInstanceReplicas, spec.Replicas)
		}
		if gbs < minReadReplicaGB {
			c.Problemf("memory", "read replicas need nodes of at least %d GB (memory: %dGi); got %s. Raise memory, or use replicas: 1 (no read replicas)", minReadReplicaGB, minReadReplicaGB, spec.Memory)
		}
		if versionRank[version] < versionRank["REDIS_5_0"] {
			c.Problemf("engine.version", "read replicas need Redis 5.0 or later, got %s", spec.Engine.Version)
		}
	}
	if len(spec.Zones) > 2 {
		c.Warnf("Memorystore places the first two nodes in zones %s and %s and picks the zones of further replicas itself", spec.Zones[0], spec.Zones[1])
	}
}

func (c *checker) cluster(r *resolved) {
	spec := c.Spec
	if spec.Shards > maxClusterShards {
		c.Problemf("shards", "Memorystore for Redis Cluster has at most %d shards, got %d", maxClusterShards, spec.Shards)
	}
	if spec.Replicas > maxClusterReplicas {
		c.Problemf("replicas", "Memorystore for Redis Cluster has 0 to %d replicas per shard, got %d; add shards for more read capacity", maxClusterReplicas, spec.Replicas)
	}
	if v := spec.Engine.Version; v != "" && v != "7" && !strings.HasPrefix(v, "7.") {
		c.Problemf("engine.version", "Memorystore for Redis Cluster runs Redis 7.x; remove engine.version or set it to 7.x, got %q", v)
	}
	if n := r.settings.NodeType; n != "" {
		nt, _ := nodeTypeByName(n)
		if nt.keyspaceGB > 0 && float64(spec.Memory.Bytes) > nt.keyspaceGB*gb {
			c.Problemf("memory", "node type %s holds %.2f GB of keys per node, less than memory: %s; pick a larger provider.nodeType or lower memory", n, nt.keyspaceGB, spec.Memory)
		}
	} else if _, ok := nodeTypeFor(spec.Memory.Bytes); !ok {
		largest := nodeTypes[3]
		c.Problemf("memory", "the largest Memorystore for Redis Cluster node type, %s, holds %.1f GB of keys; got %s per node: add shards instead (memory is per node)", largest.name, largest.keyspaceGB, spec.Memory)
	}
	if len(spec.Zones) > 1 {
		c.Warnf("Memorystore for Redis Cluster spreads nodes over the region's zones itself (MULTI_ZONE); the zones listed are not used")
	}
}

func (c *checker) network() {
	n := c.Spec.Network
	if len(n.AllowedCIDRs) > 0 {
		c.Warnf("network.allowedCIDRs is not enforced by Memorystore: it is reachable only from its VPC network; restrict clients with VPC firewall rules")
	}
	if n.Bind != "" {
		c.Warnf("network.bind has no meaning for Memorystore: the service assigns the address")
	}
}
