package gcp

import (
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
)

// oneInstance checks the fake holds exactly one instance, ready, and returns it.
func oneInstance(t *testing.T, f *memorystorefake.Server) *redispb.Instance {
	t.Helper()
	ins := f.Instances()
	if len(ins) != 1 {
		t.Fatalf("fake holds %d instances, want 1 (duplicated or lost)", len(ins))
	}
	if ins[0].State != redispb.Instance_READY {
		t.Fatalf("instance is %s after apply", ins[0].State)
	}
	return ins[0]
}

func TestConformanceSingle(t *testing.T) {
	t.Setenv(deploy.PollIntervalEnv, "2ms")
	f := memorystorefake.Start(t)
	const addr = "gcp_redis_instance.conf-single"
	var host string
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return testProvider(f) },
		Spec: `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-single
layout: single
memory: 1Gi
provider:
  name: gcp
  project: demo-project
  region: us-central1
  authEnabled: true
  skipFinalSnapshot: true
`,
		Changes: []conformance.Change{
			{Name: "memory in place", Edit: conformance.Replace("memory: 1Gi", "memory: 3Gi"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactReconnect)},
			{Name: "eviction policy in place", Edit: conformance.Replace("memory: 3Gi", "memory: 3Gi\nevictionPolicy: allkeys-lru"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "rdb persistence in place", Edit: conformance.Replace("evictionPolicy: allkeys-lru", "evictionPolicy: allkeys-lru\npersistence:\n  mode: rdb"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "labels in place", Edit: conformance.Replace("layout: single", "layout: single\nlabels:\n  env: prod"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactMetadata)},
			{Name: "auth off in place", Edit: conformance.Replace("  authEnabled: true\n", ""), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactReconnect)},
			{Name: "tls replaces", Edit: conformance.Replace("layout: single", "layout: single\ntls:\n  enabled: true"), Want: conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss), AllowDataLoss: true},
			{Name: "single to ha replaces", Edit: conformance.Replace("layout: single", "layout: ha\nreplicas: 1"), Want: conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss), AllowDataLoss: true},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			in := oneInstance(t, f)
			switch step {
			case "create":
				host = in.Host
				if !in.AuthEnabled || in.MemorySizeGb != 1 {
					t.Errorf("created %v", in)
				}
			case "memory in place":
				if in.MemorySizeGb != 3 || in.Host != host {
					t.Errorf("memory %d host %s (was %s): not scaled in place", in.MemorySizeGb, in.Host, host)
				}
			case "eviction policy in place":
				if in.RedisConfigs["maxmemory-policy"] != "allkeys-lru" {
					t.Errorf("redis configs %v", in.RedisConfigs)
				}
			case "rdb persistence in place":
				if in.PersistenceConfig.GetPersistenceMode() != redispb.PersistenceConfig_RDB {
					t.Errorf("persistence %v", in.PersistenceConfig)
				}
			case "auth off in place":
				if in.AuthEnabled || in.Host != host {
					t.Errorf("auth %v host %s", in.AuthEnabled, in.Host)
				}
			case "tls replaces":
				if in.TransitEncryptionMode != redispb.Instance_SERVER_AUTHENTICATION || in.Port != 6378 || in.Host == host {
					t.Errorf("tls %v port %d host %s: not a new TLS instance", in.TransitEncryptionMode, in.Port, in.Host)
				}
			case "single to ha replaces":
				if in.Tier != redispb.Instance_STANDARD_HA || in.ReplicaCount != 1 {
					t.Errorf("tier %v replicas %d", in.Tier, in.ReplicaCount)
				}
			}
		},
		Gone: func(t *testing.T) {
			if n := len(f.Instances()); n != 0 {
				t.Errorf("%d instances left after destroy", n)
			}
		},
	})
}

func TestConformanceHA(t *testing.T) {
	t.Setenv(deploy.PollIntervalEnv, "2ms")
	f := memorystorefake.Start(t)
	const addr = "gcp_redis_instance.conf-ha"
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return testProvider(f) },
		Spec: `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-ha
layout: ha
replicas: 2
memory: 5Gi
engine:
  version: "6.x"
provider:
  name: gcp
  project: demo-project
  region: us-central1
  finalSnapshotBucket: gs://demo-backups
`,
		Changes: []conformance.Change{
			{Name: "add a read replica", Edit: conformance.Replace("replicas: 2", "replicas: 3"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "upgrade fails over", Edit: conformance.Replace(`version: "6.x"`, `version: "7.2"`), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactRollingFailover)},
			{Name: "maintenance window", Edit: conformance.Replace("  finalSnapshotBucket", "  maintenanceWindow:\n    day: sunday\n    startTime: \"03:00\"\n  finalSnapshotBucket"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactMetadata)},
			{Name: "read replicas off replaces", Edit: conformance.Replace("replicas: 3", "replicas: 1"), Want: conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss), AllowDataLoss: true},
			{Name: "downgrade replaces", Edit: conformance.Replace(`version: "7.2"`, `version: "7.0"`), Want: conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss), AllowDataLoss: true},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			in := oneInstance(t, f)
			switch step {
			case "create":
				if in.Tier != redispb.Instance_STANDARD_HA || in.ReplicaCount != 2 || in.ReadReplicasMode != redispb.Instance_READ_REPLICAS_ENABLED || in.ReadEndpoint == "" {
					t.Errorf("created %v", in)
				}
			case "add a read replica":
				if in.ReplicaCount != 3 {
					t.Errorf("replicas %d", in.ReplicaCount)
				}
			case "upgrade fails over":
				if in.RedisVersion != "REDIS_7_2" {
					t.Errorf("version %s", in.RedisVersion)
				}
			case "maintenance window":
				if w := in.GetMaintenancePolicy().GetWeeklyMaintenanceWindow(); len(w) != 1 || w[0].GetStartTime().GetHours() != 3 {
					t.Errorf("maintenance policy %v", in.GetMaintenancePolicy())
				}
			case "read replicas off replaces":
				if in.ReadReplicasMode != redispb.Instance_READ_REPLICAS_DISABLED || in.ReplicaCount != 1 {
					t.Errorf("read replicas %v, replicas %d", in.ReadReplicasMode, in.ReplicaCount)
				}
				if len(f.Exports()) != 1 {
					t.Errorf("replacement took %d final snapshots, want 1", len(f.Exports()))
				}
			}
		},
		Gone: func(t *testing.T) {
			if n := len(f.Instances()); n != 0 {
				t.Errorf("%d instances left after destroy", n)
			}
		},
	})
}

func TestConformanceCluster(t *testing.T) {
	t.Setenv(deploy.PollIntervalEnv, "2ms")
	f := memorystorefake.Start(t)
	const addr = "gcp_redis_cluster.conf-cluster"
	one := func(t *testing.T) *clusterpb.Cluster {
		cs := f.Clusters()
		if len(cs) != 1 || cs[0].State != clusterpb.Cluster_ACTIVE {
			t.Fatalf("fake holds %d clusters (%v), want 1 active", len(cs), cs)
		}
		return cs[0]
	}
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return testProvider(f) },
		Spec: `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-cluster
layout: cluster
shards: 3
replicas: 1
memory: 4Gi
provider:
  name: gcp
  project: demo-project
  region: us-central1
`,
		Changes: []conformance.Change{
			{Name: "add a shard", Edit: conformance.Replace("shards: 3", "shards: 4"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "add replicas", Edit: conformance.Replace("replicas: 1", "replicas: 2"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "bigger nodes", Edit: conformance.Replace("memory: 4Gi", "memory: 8Gi"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "aof in place", Edit: conformance.Replace("memory: 8Gi", "memory: 8Gi\npersistence:\n  mode: aof\n  fsync: always"), Want: conformance.Only(addr, providers.ActionUpdate, providers.ImpactOnline)},
			{Name: "tls replaces", Edit: conformance.Replace("layout: cluster", "layout: cluster\ntls:\n  enabled: true"), Want: conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss), AllowDataLoss: true},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			c := one(t)
			switch step {
			case "create":
				if c.GetShardCount() != 3 || c.GetReplicaCount() != 1 || c.NodeType != clusterpb.NodeType_REDIS_STANDARD_SMALL {
					t.Errorf("created %v", c)
				}
			case "add a shard":
				if c.GetShardCount() != 4 {
					t.Errorf("shards %d", c.GetShardCount())
				}
			case "add replicas":
				if c.GetReplicaCount() != 2 {
					t.Errorf("replicas %d", c.GetReplicaCount())
				}
			case "bigger nodes":
				if c.NodeType != clusterpb.NodeType_REDIS_HIGHMEM_MEDIUM {
					t.Errorf("node type %v", c.NodeType)
				}
			case "aof in place":
				if c.GetPersistenceConfig().GetAofConfig().GetAppendFsync() != clusterpb.ClusterPersistenceConfig_AOFConfig_ALWAYS {
					t.Errorf("persistence %v", c.GetPersistenceConfig())
				}
			case "tls replaces":
				if c.TransitEncryptionMode != clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION {
					t.Errorf("tls %v", c.TransitEncryptionMode)
				}
				if len(f.Backups()) != 1 {
					t.Errorf("replacement took %d final backups, want 1", len(f.Backups()))
				}
			}
		},
		Gone: func(t *testing.T) {
			if n := len(f.Clusters()); n != 0 {
				t.Errorf("%d clusters left after destroy", n)
			}
			if n := len(f.Backups()); n != 2 {
				t.Errorf("%d backups, want 2 (before the replacement and before destroy)", n)
			}
		},
	})
}
