package gcp

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
)

func validate(t *testing.T, spec string) *providers.ValidateResponse {
	t.Helper()
	return providertest.Validate(t, New(), spec)
}

func specWith(body, provider string) string {
	return "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: cache\n" + body +
		"provider:\n  name: gcp\n  project: demo-project\n  region: us-central1\n  skipFinalSnapshot: true\n" + provider
}

// TestValidateProblems: what Memorystore cannot do fails at plan time, at
// the field that asks for it, with what to do instead.
func TestValidateProblems(t *testing.T) {
	for _, tc := range []struct {
		name, spec, path, msg string
	}{
		{"missing project", "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: c\nprovider:\n  name: gcp\n  region: us-central1\n", "provider.project", "required"},
		{"bad region", "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: c\nprovider:\n  name: gcp\n  project: demo-project\n  region: Central\n", "provider.region", "us-central1"},
		{"unknown setting", specWith("", "  tier: premium\n"), "provider.tier", ""},
		{"ha without replicas", specWith("layout: ha\nreplicas: 0\n", ""), "replicas", "layout: single"},
		{"read replicas too small", specWith("layout: ha\nreplicas: 2\nmemory: 2Gi\n", ""), "memory", "at least 5 GB"},
		{"read replicas off with 2 replicas", specWith("layout: ha\nreplicas: 2\nmemory: 5Gi\n", "  readReplicas: false\n"), "provider.readReplicas", "exactly one replica"},
		{"instance too large", specWith("memory: 301Gi\n", ""), "memory", "at most 300 GB"},
		{"aof on an instance", specWith("persistence:\n  mode: aof\n", ""), "persistence.mode", "RDB snapshots only"},
		{"unknown version", specWith("engine:\n  version: \"8.0\"\n", ""), "engine.version", "7.2"},
		{"valkey", specWith("engine:\n  name: valkey\n", ""), "engine.name", "Memorystore for Valkey"},
		{"password from env", specWith("auth:\n  password: env:PW\n", ""), "auth.password", "provider.authEnabled"},
		{"cluster replicas", specWith("layout: cluster\nshards: 3\nreplicas: 3\n", ""), "replicas", "0 to 2"},
		{"cluster shards", specWith("layout: cluster\nshards: 300\nreplicas: 1\n", ""), "shards", "at most 250"},
		{"cluster node too small", specWith("layout: cluster\nmemory: 64Gi\n", ""), "memory", "add shards"},
		{"explicit node type too small", specWith("layout: cluster\nmemory: 8Gi\n", "  nodeType: redis-standard-small\n"), "memory", "larger provider.nodeType"},
		{"node type on instance", specWith("", "  nodeType: redis-standard-small\n"), "provider.nodeType", "layout cluster"},
		{"bad instance id", specWith("", "  instanceId: Bad_ID\n"), "provider.instanceId", "lowercase"},
		{"bad bucket", specWith("", "  finalSnapshotBucket: s3://x\n"), "provider.finalSnapshotBucket", "gs://"},
		{"bad window", specWith("", "  maintenanceWindow:\n    day: sunday\n    startTime: 3am\n"), "provider.maintenanceWindow.startTime", "HH:MM"},
		{"snapshot period without rdb", specWith("", "  snapshotPeriod: 6h\n"), "provider.snapshotPeriod", "mode rdb"},
		{"unknown node type", specWith("layout: cluster\n", "  nodeType: huge\n"), "provider.nodeType", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := providertest.Problem(t, validate(t, tc.spec), tc.path, tc.msg); p.Line == 0 {
				t.Errorf("problem %q has no position", p.Message)
			}
		})
	}
}

func TestValidateAcceptsExamplesShapes(t *testing.T) {
	for _, spec := range []string{
		specWith("layout: single\nmemory: 256Mi\n", "  authEnabled: true\n"),
		specWith("layout: ha\nreplicas: 1\nmemory: 1Gi\n", ""),
		specWith("layout: ha\nreplicas: 5\nmemory: 5Gi\nengine:\n  version: \"5.0\"\n", ""),
		specWith("layout: cluster\nshards: 250\nreplicas: 2\nmemory: 40Gi\npersistence:\n  mode: aof\n", ""),
	} {
		if resp := validate(t, spec); len(resp.Problems) > 0 {
			t.Errorf("%s\nproblems: %v", spec, resp.Problems)
		}
	}
}

func TestValidateWarnings(t *testing.T) {
	resp := validate(t, "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: cache\nnetwork:\n  allowedCIDRs: [10.0.0.0/8]\nprovider:\n  name: gcp\n  project: demo-project\n  region: us-central1\n")
	all := strings.Join(resp.Warnings, "\n")
	for _, want := range []string{"allowedCIDRs is not enforced", "without a final snapshot"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}

// TestPlanNotesMapping: the plan says what the spec becomes, including the
// rounding of memory and the node type chosen.
func TestPlanNotesMapping(t *testing.T) {
	e := newEnv(t)
	notes := strings.Join(e.Plan(specWith("layout: ha\nreplicas: 2\nmemory: 4500Mi\n", "")).Notes, "\n")
	for _, want := range []string{"ha, replicas: 2 → Memorystore for Redis instance cache, tier STANDARD_HA, replicaCount=2, readReplicasMode=READ_REPLICAS_ENABLED, memorySizeGb=5", "rounded up to memorySizeGb=5", "no sentinels"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	notes = strings.Join(e.Plan(specWith("layout: cluster\nshards: 3\nmemory: 2Gi\n", "")).Notes, "\n")
	if !strings.Contains(notes, "node type redis-standard-small") || !strings.Contains(notes, "shardCount=3, replicaCount=1") {
		t.Errorf("cluster notes:\n%s", notes)
	}
}
