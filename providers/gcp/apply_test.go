package gcp

import (
	"context"
	"strings"
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
)

func TestCreateReplanDestroyInstance(t *testing.T) {
	e := newEnv(t)
	p := e.Plan(singleSpec)
	c := providertest.Change(t, p, "gcp_redis_instance.cache")
	if c.Action != providers.ActionCreate || len(c.Calls) == 0 || !strings.HasPrefix(c.Calls[0], "CreateInstance(instanceId=cache, tier=BASIC, memorySizeGb=1") {
		t.Fatalf("create change: %+v", c)
	}
	e.MustApply(singleSpec, false)
	in := e.fake.Instance(instanceName)
	if in == nil || in.State != redispb.Instance_READY || in.Tier != redispb.Instance_BASIC || !in.AuthEnabled {
		t.Fatalf("instance after apply: %v", in)
	}
	if got := in.Labels["redisctl-deployment"]; got != "cache" {
		t.Errorf("label redisctl-deployment=%q, want cache", got)
	}
	e.ExpectClean(singleSpec)
	auth := e.fake.AuthString(instanceName)
	if auth == "" || strings.Contains(e.stateFiles(), auth) || strings.Contains(e.Progress.String(), auth) {
		t.Errorf("AUTH string %q missing or leaked into state/progress", auth)
	}
	if !strings.Contains(e.Progress.String(), "creating → ready") {
		t.Errorf("progress does not show the state change:\n%s", e.Progress.String())
	}
	e.MustDestroy(singleSpec)
	if got := e.fake.Instances(); len(got) != 0 {
		t.Fatalf("instances left after destroy: %v", got)
	}
	ex := e.fake.Exports()
	if len(ex) != 1 || ex[0].URI != "gs://demo-backups/redis/cache-20260504-030201.rdb" {
		t.Errorf("final snapshot exports: %+v", ex)
	}
}

func TestTurnOnReadReplicasInPlace(t *testing.T) {
	e := newEnv(t)
	one := strings.Replace(singleSpec, "layout: single\nmemory: 1Gi", "layout: ha\nreplicas: 1\nmemory: 5Gi", 1)
	e.MustApply(one, false)
	if in := oneInstance(t, e.fake); in.ReadReplicasMode != redispb.Instance_READ_REPLICAS_DISABLED || in.ReplicaCount != 1 {
		t.Fatalf("created %v", in)
	}
	two := strings.Replace(one, "replicas: 1", "replicas: 2", 1)
	c := providertest.Change(t, e.Plan(two), addrCache)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactOnline || !strings.Contains(c.Calls[0], "updateMask=replica_count,read_replicas_mode,secondary_ip_range") {
		t.Fatalf("%s (%s) %v", c.Action, c.Impact, c.Calls)
	}
	e.MustApply(two, false)
	if in := oneInstance(t, e.fake); in.ReadReplicasMode != redispb.Instance_READ_REPLICAS_ENABLED || in.ReplicaCount != 2 || in.ReadEndpoint == "" {
		t.Errorf("after: %v", in)
	}
	e.ExpectClean(two)
}

// TestLayoutToCluster: an instance and a cluster are different resources;
// moving to layout cluster deletes one (data-loss) and creates the other.
func TestLayoutToCluster(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	cl := strings.Replace(singleSpec, "layout: single", "layout: cluster\nshards: 3\nreplicas: 0", 1)
	cl = strings.Replace(cl, "  finalSnapshotBucket: gs://demo-backups/redis\n", "", 1)
	p := e.Plan(cl)
	if c := providertest.Change(t, p, addrCache); c.Action != providers.ActionDelete || c.Impact != providers.ImpactDataLoss {
		t.Errorf("instance: %s (%s)", c.Action, c.Impact)
	}
	if c := providertest.Change(t, p, "gcp_redis_cluster.cache"); c.Action != providers.ActionCreate {
		t.Errorf("cluster: %s", c.Action)
	}
	if _, err := e.Run(context.Background(), cl, false, false); err == nil || !strings.Contains(err.Error(), "loses data") {
		t.Fatalf("apply without --allow-data-loss: %v", err)
	}
	e.MustApply(cl, true)
	if len(e.fake.Instances()) != 0 || len(e.fake.Clusters()) != 1 {
		t.Errorf("instances %d clusters %d", len(e.fake.Instances()), len(e.fake.Clusters()))
	}
	e.ExpectClean(cl)
}

// An eviction policy change keeps the redis configs set outside redisctl:
// only maxmemory-policy is redisctl's.
func TestPolicyChangeKeepsOtherConfigs(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.ModifyInstance(instanceName, func(in *redispb.Instance) { in.RedisConfigs["notify-keyspace-events"] = "Ex" })
	lru := strings.Replace(singleSpec, "memory: 1Gi", "memory: 1Gi\nevictionPolicy: allkeys-lru", 1)
	e.MustApply(lru, false)
	in := oneInstance(t, e.fake)
	if in.RedisConfigs["maxmemory-policy"] != "allkeys-lru" || in.RedisConfigs["notify-keyspace-events"] != "Ex" {
		t.Errorf("redis configs after the policy change: %v", in.RedisConfigs)
	}
}
