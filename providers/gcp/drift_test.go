package gcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/protobuf/proto"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
	"github.com/redisctl/redisctl/providers/providertest"
)

func driftText(ds []providers.Drift) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Address + ": " + d.Message + "\n")
	}
	return b.String()
}

func TestDriftIsShownAndReverted(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.ModifyInstance(instanceName, func(in *redispb.Instance) {
		in.MemorySizeGb = 4
		in.Labels["owner"] = "someone"
		in.RedisConfigs["maxmemory-policy"] = "allkeys-lfu"
	})
	p := e.Plan(singleSpec)
	drift := driftText(p.Drift)
	for _, want := range []string{`memory_size_gb is "4", state says "1"`, "labels is", "maxmemory_policy is \"allkeys-lfu\""} {
		if !strings.Contains(drift, want) {
			t.Errorf("drift lacks %q:\n%s", want, drift)
		}
	}
	c := providertest.Change(t, p, addrCache)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactReconnect {
		t.Errorf("revert: %s (%s)", c.Action, c.Impact)
	}
	e.MustApply(singleSpec, false)
	in := oneInstance(t, e.fake)
	if in.MemorySizeGb != 1 || in.Labels["owner"] != "" || in.RedisConfigs["maxmemory-policy"] != "noeviction" {
		t.Errorf("not reverted: %v", in)
	}
	e.ExpectClean(singleSpec)
}

func TestAuthStringChangedOutsideIsDrift(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.RotateAuthString(instanceName)
	p := e.Plan(singleSpec)
	if !strings.Contains(driftText(p.Drift), "AUTH string changed outside redisctl") {
		t.Errorf("drift: %v", p.Drift)
	}
	if !p.Empty() {
		t.Errorf("a new AUTH string is not a change to make:\n%s", providertest.Render(t, p))
	}
	auth := e.fake.AuthString(instanceName)
	if strings.Contains(providertest.Render(t, p), auth) {
		t.Error("plan shows the AUTH string")
	}
	e.MustApply(singleSpec, false) // records the new fingerprint
	e.ExpectClean(singleSpec)
	if strings.Contains(e.stateFiles(), auth) {
		t.Error("state holds the AUTH string")
	}
}

func TestDeletedOutsideIsCreatedAgain(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.RemoveInstance(instanceName)
	p := e.Plan(singleSpec)
	if !strings.Contains(driftText(p.Drift), "deleted outside redisctl") {
		t.Errorf("drift: %v", p.Drift)
	}
	if c := providertest.Change(t, p, addrCache); c.Action != providers.ActionCreate {
		t.Errorf("%s", c.Action)
	}
	e.MustApply(singleSpec, false)
	oneInstance(t, e.fake)
}

func TestClusterDrift(t *testing.T) {
	e := newEnv(t)
	spec := strings.Replace(singleSpec, "layout: single", "layout: cluster\nshards: 2\nreplicas: 1", 1)
	spec = strings.Replace(spec, "  finalSnapshotBucket: gs://demo-backups/redis\n", "", 1)
	e.MustApply(spec, false)
	name := "projects/demo-project/locations/us-central1/clusters/cache"
	e.fake.ModifyCluster(name, func(c *clusterpb.Cluster) { c.ShardCount = proto.Int32(5) })
	p := e.Plan(spec)
	if !strings.Contains(driftText(p.Drift), `shard_count is "5", state says "2"`) {
		t.Errorf("drift: %v", p.Drift)
	}
	c := providertest.Change(t, p, "gcp_redis_cluster.cache")
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactOnline || !strings.HasPrefix(c.Calls[0], "UpdateCluster(updateMask=shard_count") {
		t.Errorf("%s (%s) %v", c.Action, c.Impact, c.Calls)
	}
	e.MustApply(spec, false)
	e.ExpectClean(spec)
}

// TestBasicUpgradeImpact: a version upgrade flushes a BASIC instance
// without RDB snapshots (data-loss) but only reconnects one with them.
func TestBasicUpgradeImpact(t *testing.T) {
	e := newEnv(t)
	v6 := strings.Replace(singleSpec, "memory: 1Gi", "memory: 1Gi\nengine:\n  version: \"6.x\"", 1)
	e.MustApply(v6, false)
	v7 := strings.Replace(v6, `"6.x"`, `"7.2"`, 1)
	c := providertest.Change(t, e.Plan(v7), addrCache)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactDataLoss || !strings.Contains(c.Reason, "flushed") {
		t.Errorf("upgrade without RDB: %s (%s) %s", c.Action, c.Impact, c.Reason)
	}
	rdb := strings.Replace(v6, "memory: 1Gi", "memory: 1Gi\npersistence:\n  mode: rdb", 1)
	e.MustApply(rdb, false)
	c = providertest.Change(t, e.Plan(strings.Replace(rdb, `"6.x"`, `"7.2"`, 1)), addrCache)
	if c.Impact != providers.ImpactReconnect || c.Calls[0] != "UpgradeInstance(redisVersion=REDIS_7_2)" {
		t.Errorf("upgrade with RDB: %s (%s) %v", c.Action, c.Impact, c.Calls)
	}
}

// TestImportPlansEmpty: a spec and state written by Import plan empty.
func TestImportPlansEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		put  func(f *envFake)
		id   string
	}{
		{"basic", func(f *envFake) {
			f.PutInstance(&redispb.Instance{Name: "projects/demo-project/locations/europe-west1/instances/legacy", Tier: redispb.Instance_BASIC, MemorySizeGb: 3,
				RedisConfigs: map[string]string{"maxmemory-policy": "allkeys-lru"}, AuthEnabled: true, Labels: map[string]string{"team": "shop"}})
		}, "projects/demo-project/locations/europe-west1/instances/legacy"},
		{"standard with read replicas", func(f *envFake) {
			f.PutInstance(&redispb.Instance{Name: "projects/demo-project/locations/europe-west1/instances/legacy", Tier: redispb.Instance_STANDARD_HA, MemorySizeGb: 6,
				ReplicaCount: 1, ReadReplicasMode: redispb.Instance_READ_REPLICAS_ENABLED, RedisVersion: "REDIS_6_X", TransitEncryptionMode: redispb.Instance_SERVER_AUTHENTICATION,
				PersistenceConfig: &redispb.PersistenceConfig{PersistenceMode: redispb.PersistenceConfig_RDB, RdbSnapshotPeriod: redispb.PersistenceConfig_SIX_HOURS},
				MaintenancePolicy: &redispb.MaintenancePolicy{WeeklyMaintenanceWindow: []*redispb.WeeklyMaintenanceWindow{{Day: 3, StartTime: nil}}}})
		}, "legacy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.put(e.fake)
			prov := testProvider(e.fake)
			salt := secret.NewSalt()
			resp, err := prov.Import(context.Background(), providers.ImportRequest{
				Deployment: "imported", ID: tc.id, Settings: map[string]string{"project": "demo-project", "region": "europe-west1"},
				Fingerprint: func(v string) string { return secret.Fingerprint(salt, v) },
			})
			if err != nil {
				t.Fatal(err)
			}
			st := state.New("imported", Name)
			st.Salt = salt
			for _, r := range resp.Resources {
				st.Put(state.Entry{Resource: r})
			}
			if err := (&state.Store{Dir: e.StateDir}).Save(st); err != nil {
				t.Fatal(err)
			}
			specPath := filepath.Join(e.Dir, "imported.yaml")
			if err := os.WriteFile(specPath, resp.Spec, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := deploy.Open(context.Background(), specPath, deploy.Options{Registry: e.Registry, StateDir: e.StateDir})
			if err != nil {
				t.Fatalf("imported spec does not open: %v\n%s", err, resp.Spec)
			}
			p, err := s.Plan(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Empty() || len(p.Drift) > 0 {
				t.Fatalf("first plan after import is not empty:\n%s\nspec:\n%s", providertest.Render(t, p), resp.Spec)
			}
		})
	}
}

type envFake = memorystorefake.Server
