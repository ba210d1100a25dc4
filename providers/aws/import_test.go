package aws

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
)

// createLegacy makes a replication group the way another tool would.
func createLegacy(t *testing.T, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	api, err := New().clientFor(ctx, "", time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateCacheParameterGroup(ctx, &elasticache.CreateCacheParameterGroupInput{
		CacheParameterGroupName: aws.String("legacy-params"), CacheParameterGroupFamily: aws.String("redis7"), Description: aws.String("made by hand"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ModifyCacheParameterGroup(ctx, &elasticache.ModifyCacheParameterGroupInput{
		CacheParameterGroupName: aws.String("legacy-params"),
		ParameterNameValues:     []types.ParameterNameValue{{ParameterName: aws.String("maxmemory-policy"), ParameterValue: aws.String("allkeys-lru")}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateReplicationGroup(ctx, &elasticache.CreateReplicationGroupInput{
		ReplicationGroupId: aws.String("legacy"), ReplicationGroupDescription: aws.String("by hand"),
		Engine: aws.String("redis"), EngineVersion: aws.String("7.0"), CacheNodeType: aws.String("cache.r7g.large"),
		CacheParameterGroupName: aws.String("legacy-params"), NumCacheClusters: aws.Int32(3),
		AutomaticFailoverEnabled: aws.Bool(true), MultiAZEnabled: aws.Bool(true),
		TransitEncryptionEnabled: aws.Bool(true), AtRestEncryptionEnabled: aws.Bool(true), AuthToken: aws.String(password1),
		SnapshotRetentionLimit: aws.Int32(5), Tags: awsTags(tags),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := New().waitAvailable(ctx, api, "legacy", time.Millisecond, func(string) {}); err != nil {
		t.Fatal(err)
	}
}

func TestImportPlansEmpty(t *testing.T) {
	h := newHarness(t)
	createLegacy(t, map[string]string{"team": "ops"})
	t.Setenv("LEGACY_TOKEN", password1)
	salt := secret.NewSalt()
	resp, err := New().Import(context.Background(), providers.ImportRequest{
		Deployment: "legacy-app", ID: "legacy", Settings: map[string]string{"authTokenEnv": "LEGACY_TOKEN"},
		StateDir: h.StateDir, Fingerprint: func(v string) string { return secret.Fingerprint(salt, v) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Warnings) > 0 {
		t.Errorf("warnings: %v", resp.Warnings)
	}
	src := string(resp.Spec)
	for _, want := range []string{"layout: ha", "replicas: 2", "evictionPolicy: allkeys-lru", "password: env:LEGACY_TOKEN", "nodeType: cache.r7g.large", "parameterGroupName: legacy-params", "replicationGroupId: legacy", "snapshotRetentionDays: 5", "team: \"ops\""} {
		if !strings.Contains(src, want) {
			t.Errorf("spec lacks %q:\n%s", want, src)
		}
	}
	if g, _ := h.f.Group("legacy"); h.f.Tags(g.ARN)[tagDeployment] != "legacy-app" {
		t.Error("import did not tag the group for its deployment")
	}

	// Record what import returned as the new deployment's state.
	if err := os.WriteFile(h.SpecPath, resp.Spec, 0o600); err != nil {
		t.Fatal(err)
	}
	st := state.New("legacy-app", Name)
	st.Salt = salt
	for _, r := range resp.Resources {
		st.Resources = append(st.Resources, state.Entry{Resource: r})
	}
	if err := (&state.Store{Dir: h.StateDir}).Save(st); err != nil {
		t.Fatal(err)
	}
	h.ExpectClean(src)

	// The adopted group is managed from now on: a change is planned in place.
	more := strings.Replace(src, "replicas: 2", "replicas: 3", 1)
	if c := providertest.Change(t, h.Plan(more), groupAddr); c.Action != providers.ActionUpdate {
		t.Errorf("replicas on the imported group: %s", c.Action)
	}
	h.MustApply(more, true)
	h.ExpectClean(more)
}

func TestImportWarnings(t *testing.T) {
	h := newHarness(t)
	createLegacy(t, map[string]string{"Name": "Legacy Cache"})
	resp, err := New().Import(context.Background(), providers.ImportRequest{Deployment: "legacy", ID: "legacy", StateDir: h.StateDir})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(resp.Warnings, "\n")
	for _, want := range []string{"tag Name=Legacy Cache cannot be written as a spec label", "LEGACY_AUTH_TOKEN is not set"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if _, err := New().Import(context.Background(), providers.ImportRequest{Deployment: "x", ID: "nope", StateDir: h.StateDir}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("import of a missing group: %v", err)
	}
}
