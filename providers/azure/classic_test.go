package azure

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/azure/armfake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// classicSpec manages the existing Standard C3 cache "legacy".
const classicSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: legacy
layout: ha
replicas: 1
memory: 6Gi
evictionPolicy: volatile-lru
tls:
  enabled: true
provider:
  name: azure
  resourceGroup: ` + testRG + `
  classicCache: legacy
  skipFinalExport: true
`

func seedStandard(e *env) {
	e.srv.AddCache(testSub, testRG, armfake.Cache{Name: "legacy", Location: "westeurope",
		SKU: armfake.CacheSKU{Name: "Standard", Family: "C", Capacity: 3}, Tags: map[string]string{"owner": "ops"}})
}

func retirementWarned(t *testing.T, warnings []string) {
	t.Helper()
	w := strings.Join(warnings, "\n")
	if !strings.Contains(w, "accepts no new caches since October 2026") || !strings.Contains(w, "retired in 2028") {
		t.Errorf("no retirement warning: %v", warnings)
	}
}

func TestClassicAdoptNeverCreates(t *testing.T) {
	e := newEnv(t)
	_, err := e.Run(context.Background(), classicSpec, false, false)
	if err == nil {
		t.Fatal("adopting a missing cache succeeded")
	}
	for _, w := range []string{`"legacy" does not exist`, "accepts no new caches since October 2026", "Azure Managed Redis"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if n := e.srv.Count(http.MethodPut, "/redis/legacy"); n != 0 {
		t.Errorf("%d PUTs to create a classic cache", n)
	}
}

func TestClassicAdoptAndUpdate(t *testing.T) {
	e := newEnv(t)
	seedStandard(e)
	p := e.Plan(classicSpec)
	retirementWarned(t, p.Warnings)
	ch := providertest.Change(t, p, addrCache)
	if ch.Action != providers.ActionCreate || !strings.Contains(ch.Reason, "adopt the existing Azure Cache for Redis") || !strings.HasPrefix(ch.Calls[0], "Redis.Get(legacy)") {
		t.Fatalf("first plan: %+v", ch)
	}
	e.MustApply(classicSpec, true)
	c := e.srv.Cache(testSub, testRG, "legacy")
	if c.Tags["redisctl-deployment"] != "legacy" || c.Tags["owner"] != "ops" {
		t.Errorf("tags after adoption %v", c.Tags)
	}
	p = e.Plan(classicSpec)
	retirementWarned(t, p.Warnings)
	if !p.Empty() {
		t.Fatalf("plan after adoption: %+v", p.Changes)
	}

	steps := []struct {
		name   string
		edit   func(string) string
		impact providers.Impact
		check  func(*armfake.Cache) bool
	}{
		{"scale up", func(s string) string { return strings.Replace(s, "memory: 6Gi", "memory: 13Gi", 1) }, providers.ImpactRollingFailover,
			func(c *armfake.Cache) bool { return c.SKU.Capacity == 4 }},
		{"eviction", func(s string) string { return strings.Replace(s, "volatile-lru", "allkeys-lru", 1) }, providers.ImpactOnline,
			func(c *armfake.Cache) bool { return c.RedisConfiguration["maxmemory-policy"] == "allkeys-lru" }},
		{"non-TLS port", func(s string) string { return strings.Replace(s, "tls:\n  enabled: true\n", "", 1) }, providers.ImpactReconnect,
			func(c *armfake.Cache) bool { return c.EnableNonSSLPort }},
		{"Premium with two replicas", func(s string) string { return strings.Replace(s, "replicas: 1", "replicas: 2", 1) }, providers.ImpactRollingFailover,
			func(c *armfake.Cache) bool { return c.SKU.Name == "Premium" && c.ReplicasPerPrimary == 2 }},
	}
	spec := classicSpec
	for _, st := range steps {
		spec = st.edit(spec)
		p := e.Plan(spec)
		retirementWarned(t, p.Warnings)
		ch := providertest.Change(t, p, addrCache)
		if ch.Action != providers.ActionUpdate || ch.Impact != st.impact {
			t.Fatalf("%s: change %+v", st.name, ch)
		}
		e.MustApply(spec, true)
		if c := e.srv.Cache(testSub, testRG, "legacy"); !st.check(c) {
			t.Errorf("%s: cache after apply %+v", st.name, c)
		}
		if p := e.Plan(spec); !p.Empty() {
			t.Errorf("%s: plan after apply %+v", st.name, p.Changes)
		}
	}
	if n := e.srv.Count(http.MethodPut, "/redis/legacy"); n != 0 {
		t.Errorf("%d PUTs to a classic cache", n)
	}

	// Premium cannot go back down, and nothing can replace a classic cache.
	down := strings.Replace(spec, "replicas: 2", "replicas: 1", 1) + "  classicTier: Standard\n"
	if _, err := e.MustOpen(down).Plan(context.Background(), false); err == nil || !strings.Contains(err.Error(), "tier can only go up") || !strings.Contains(err.Error(), "remove provider.classicCache") {
		t.Errorf("downgrade plan: %v", err)
	}
}

func TestClassicBasicScalingLosesData(t *testing.T) {
	e := newEnv(t)
	e.srv.AddCache(testSub, testRG, armfake.Cache{Name: "legacy", Location: "westeurope", SKU: armfake.CacheSKU{Name: "Basic", Family: "C", Capacity: 0}})
	spec := strings.Replace(strings.Replace(classicSpec, "layout: ha\nreplicas: 1\nmemory: 6Gi", "layout: single\nmemory: 250Mi", 1), "volatile-lru", "volatile-lru", 1)
	e.MustApply(spec, true)
	bigger := strings.Replace(spec, "memory: 250Mi", "memory: 1Gi", 1)
	ch := providertest.Change(t, e.Plan(bigger), addrCache)
	if ch.Impact != providers.ImpactDataLoss || !strings.Contains(ch.Reason, "Basic cache has no replica") {
		t.Fatalf("Basic scaling: %+v", ch)
	}
	if _, err := e.Run(context.Background(), bigger, false, false); err == nil {
		t.Error("apply scaled a Basic cache without --allow-data-loss")
	}
}

func TestClassicClusterShards(t *testing.T) {
	e := newEnv(t)
	e.srv.AddCache(testSub, testRG, armfake.Cache{Name: "legacy", Location: "westeurope",
		SKU: armfake.CacheSKU{Name: "Premium", Family: "P", Capacity: 1}, ShardCount: 2})
	spec := strings.Replace(classicSpec, "layout: ha\nreplicas: 1", "layout: cluster\nshards: 2\nreplicas: 1", 1)
	spec = strings.Replace(spec, "  skipFinalExport: true\n", "  finalExport: env:"+testSASEnv+"\n", 1)
	e.MustApply(spec, true)
	more := strings.Replace(spec, "shards: 2", "shards: 3", 1)
	if ch := providertest.Change(t, e.Plan(more), addrCache); ch.Action != providers.ActionUpdate || ch.Impact != providers.ImpactOnline {
		t.Fatalf("shards 2 → 3: %+v", ch)
	}
	e.MustApply(more, true)
	if c := e.srv.Cache(testSub, testRG, "legacy"); c.ShardCount != 3 {
		t.Errorf("shards %d", c.ShardCount)
	}
	unclustered := strings.Replace(more, "layout: cluster\nshards: 3", "layout: ha", 1) + "  classicTier: Premium\n"
	if _, err := e.MustOpen(unclustered).Plan(context.Background(), false); err == nil || !strings.Contains(err.Error(), "clustering cannot be turned off") {
		t.Errorf("turning clustering off: %v", err)
	}
	// Destroy exports the Premium cache first, and still warns.
	p, err := e.Run(context.Background(), more, true, true)
	if err != nil {
		t.Fatal(err)
	}
	retirementWarned(t, p.Warnings)
	if ex := e.srv.Exports(); len(ex) != 1 || ex[0].Target != testSAS || !strings.HasPrefix(ex[0].Prefix, "legacy-final-") {
		t.Errorf("exports %+v", ex)
	}
	if e.srv.Cache(testSub, testRG, "legacy") != nil {
		t.Error("cache left after destroy")
	}
}

func TestClassicStandardCannotExport(t *testing.T) {
	e := newEnv(t)
	seedStandard(e)
	e.MustApply(classicSpec, true)
	withExport := strings.Replace(classicSpec, "  skipFinalExport: true\n", "  finalExport: env:"+testSASEnv+"\n", 1)
	if _, err := e.Run(context.Background(), withExport, true, true); err == nil || !strings.Contains(err.Error(), "cannot export its data (Premium only)") {
		t.Errorf("destroy of a Standard cache with finalExport: %v", err)
	}
	if _, err := e.Run(context.Background(), classicSpec, true, true); err != nil {
		t.Fatal(err)
	}
	if e.srv.Cache(testSub, testRG, "legacy") != nil || len(e.srv.Exports()) != 0 {
		t.Error("destroy with skipFinalExport")
	}
}

// A classic scale interrupted mid-wait resumes polling the cache instead of
// sending the update again.
func TestClassicResumeAfterKill(t *testing.T) {
	e := newEnv(t)
	seedStandard(e)
	e.MustApply(classicSpec, true)
	bigger := strings.Replace(classicSpec, "memory: 6Gi", "memory: 13Gi", 1)
	e.srv.SetPolls(1 << 20)
	ctx := e.CancelWhen("update Azure Cache for Redis legacy: accepted by Azure")
	if _, err := e.Run(ctx, bigger, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	if c := e.srv.Cache(testSub, testRG, "legacy"); c.ProvisioningState != "Scaling" {
		t.Fatalf("cache %s", c.ProvisioningState)
	}
	ch := providertest.Change(t, e.Plan(bigger), addrCache)
	if ch.Before.Private[privResumeFor] != jUpdate {
		t.Fatalf("plan after the interruption: %+v", ch)
	}
	e.srv.FinishOperations()
	e.srv.SetPolls(1)
	e.MustApply(bigger, true)
	if n := e.srv.Count(http.MethodPatch, "/redis/legacy"); n != 2 { // the adoption's tags, then the one scale
		t.Errorf("cache PATCHed %d times, want 2", n)
	}
	if c := e.srv.Cache(testSub, testRG, "legacy"); c.SKU.Capacity != 4 {
		t.Errorf("capacity %d", c.SKU.Capacity)
	}
}
