package aws

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
	"github.com/redisctl/redisctl/topology"
)

func validate(t *testing.T, src string) *providers.ValidateResponse {
	t.Helper()
	return providertest.Validate(t, New(), src)
}

func TestValidateProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec string
		path string // the problem's field
		line int    // where the spec wrote it
		want string // in the message
	}{
		{"aof has no ElastiCache equivalent", spec("memory: 512Mi", "memory: 512Mi\npersistence:\n  mode: aof"), "persistence.mode", 7, "closest is persistence.mode: rdb"},
		{"ha without replicas cannot fail over", spec("layout: single", "layout: ha\nreplicas: 0"), "replicas", 5, "at least 1 replica"},
		{"more memory than the largest node", spec("memory: 512Mi", "memory: 500Gi"), "memory", 5, "use layout: cluster"},
		{"cluster memory beyond the largest node", spec("layout: single", "layout: cluster", "memory: 512Mi", "memory: 500Gi"), "memory", 5, "use more shards"},
		{"auth needs TLS", spec("tls:\n  enabled: true\n", ""), "auth.password", 7, "tls.enabled: true"},
		{"unknown engine version", spec(`version: "7.1"`, `version: "6.5"`), "engine.version", 12, "redis 5.0, 6.0, 6.2, 7.0, 7.1"},
		{"node type too small", spec("name: aws\n", "name: aws\n  nodeType: cache.t4g.micro\n", "memory: 512Mi", "memory: 1Gi"), "provider.nodeType", 15, "offers 0.5 GiB"},
		{"node type malformed", spec("name: aws\n", "name: aws\n  nodeType: r7g.large\n"), "provider.nodeType", 15, "not an ElastiCache node type"},
		{"replication group ID with a double hyphen", spec("name: unit", "name: unit--x"), "name", 3, "provider.replicationGroupId"},
		{"region malformed", spec("name: aws\n", "name: aws\n  region: useast\n"), "provider.region", 15, "not an AWS region"},
		{"allowed CIDRs need security groups", spec("tls:", "network:\n  allowedCIDRs: [10.0.0.0/8]\ntls:"), "network.allowedCIDRs", 9, "provider.securityGroupIds"},
		{"subnet group and subnets both", spec("name: aws\n", "name: aws\n  subnetGroup: mine\n  subnetIds: [subnet-0a]\n"), "provider.subnetIds", 16, "not both"},
		{"snapshot window malformed", spec("name: aws\n", "name: aws\n  snapshotWindow: 3am\n"), "provider.snapshotWindow", 15, "hh24:mi-hh24:mi"},
		{"maintenance window malformed", spec("name: aws\n", "name: aws\n  maintenanceWindow: sunday\n"), "provider.maintenanceWindow", 15, "ddd:hh24:mi"},
		{"retention without persistence", spec("name: aws\n", "name: aws\n  snapshotRetentionDays: 3\n"), "provider.snapshotRetentionDays", 15, "persistence.mode: rdb"},
		{"eviction policy as a parameter", spec("name: aws\n", "name: aws\n  parameters:\n    maxmemory-policy: allkeys-lru\n"), "provider.parameters.maxmemory-policy", 16, "evictionPolicy"},
		{"unknown setting", spec("name: aws\n", "name: aws\n  regoin: us-east-1\n"), "provider.regoin", 15, "region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := providertest.Problem(t, validate(t, tc.spec), tc.path, tc.want)
			if p.Line != tc.line {
				t.Errorf("problem at line %d, want %d: %s", p.Line, tc.line, p.Message)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, src := range []string{
		spec(),
		spec("layout: single", "layout: ha\nreplicas: 5\nzones: [us-east-1a, us-east-1b]"),
		spec("layout: single", "layout: cluster\nshards: 90\nreplicas: 0"),
		spec("name: redis\n", "name: valkey\n", `version: "7.1"`, `version: "8.0"`),
		spec("name: aws\n", "name: aws\n  nodeType: cache.x9.huge\n"),
	} {
		if resp := validate(t, src); len(resp.Problems) > 0 {
			t.Errorf("problems for a valid spec: %v\n%s", resp.Problems, src)
		}
	}
	resp := validate(t, spec("name: aws\n", "name: aws\n  nodeType: cache.x9.huge\n"))
	if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "does not know how much memory cache.x9.huge offers") {
		t.Errorf("unknown node type warnings: %v", resp.Warnings)
	}
	resp = validate(t, spec("layout: single", "layout: cluster\nshards: 50\nreplicas: 1"))
	if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "default quota is 90 nodes") {
		t.Errorf("node quota warnings: %v", resp.Warnings)
	}
	resp = validate(t, spec("layout: single", "layout: cluster\nshards: 300\nreplicas: 1"))
	if len(resp.Problems) == 0 || !strings.Contains(resp.Problems[0].Message, "at most 500 nodes") {
		t.Errorf("600 nodes: %v", resp.Problems)
	}
}

func TestPickNodeType(t *testing.T) {
	for _, tc := range []struct {
		memory string
		want   string
	}{
		{"1Mi", "cache.t4g.micro"}, {"512Mi", "cache.t4g.micro"}, {"1Gi", "cache.t4g.small"},
		{"3Gi", "cache.t4g.medium"}, {"6Gi", "cache.m7g.large"}, {"12Gi", "cache.r7g.large"},
		{"100Gi", "cache.r7g.4xlarge"}, {"419Gi", "cache.r7g.16xlarge"},
	} {
		n, ok := pickNodeType(topology.MustParseQuantity(tc.memory).Bytes)
		if !ok || n.Name != tc.want {
			t.Errorf("memory %s → %s (%v), want %s", tc.memory, n.Name, ok, tc.want)
		}
	}
	if _, ok := pickNodeType(topology.MustParseQuantity("420Gi").Bytes); ok {
		t.Error("420Gi fits no node, but a node type was picked")
	}
}

// TestPlanOffline: planning a new deployment needs no credentials and no
// network (nothing is listening at the endpoint).
func TestPlanOffline(t *testing.T) {
	h := newHarness(t)
	h.f.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("UNIT_PASSWORD", "a-long-enough-password-1")
	p := h.Plan(spec())
	if len(p.Changes) != 2 || p.Changes[1].Action != providers.ActionCreate {
		t.Fatalf("plan: %+v", p.Changes)
	}
	if n := p.Notes; len(n) < 2 || !strings.Contains(n[0], "NumCacheClusters=1") || !strings.Contains(n[1], "cache.t4g.micro") {
		t.Errorf("notes: %v", n)
	}
}
