package azure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
	"github.com/redisctl/redisctl/topology"
)

const validBase = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: v
%s
provider:
  name: azure
%s`

func validate(t *testing.T, body, provider string) *providers.ValidateResponse {
	t.Helper()
	return providertest.Validate(t, New(), fmt.Sprintf(validBase, body, provider))
}

func TestValidateProblems(t *testing.T) {
	const managed = "  resourceGroup: rg\n  location: westeurope\n"
	const classic = "  resourceGroup: rg\n  classicCache: old\n"
	cases := []struct {
		name, body, provider string
		path, want           string // the problem's field path and message fragment
	}{
		{"resource group", "layout: single", "  location: westeurope\n", "provider.resourceGroup", "set provider.resourceGroup"},
		{"location", "layout: single", "  resourceGroup: rg\n", "provider.location", "Azure region"},
		{"valkey", "engine:\n  name: valkey", managed, "engine.name", "not Valkey"},
		{"ha replicas", "layout: ha\nreplicas: 2", managed, "replicas", "exactly one replica"},
		{"cluster replicas", "layout: cluster\nreplicas: 3", managed, "replicas", "at most one replica"},
		{"OSSCluster needs layout cluster", "layout: ha", managed + "  clusteringPolicy: OSSCluster\n", "provider.clusteringPolicy", "use layout: cluster"},
		{"cluster needs OSSCluster", "layout: cluster", managed + "  clusteringPolicy: EnterpriseCluster\n", "provider.clusteringPolicy", "needs clusteringPolicy OSSCluster"},
		{"aof fsync", "persistence:\n  mode: aof\n  fsync: always", managed, "persistence.fsync", "once a second"},
		{"rdb frequency without rdb", "layout: single", managed + "  rdbFrequency: 6h\n", "provider.rdbFrequency", "persistence.mode: rdb only"},
		{"zones", "layout: ha\nzones: [eu-1a, eu-1b]", managed, "zones[0]", "named 1, 2 and 3"},
		{"unknown sku", "layout: single", managed + "  sku: Balanced_B7\n", "provider.sku", "unknown Azure Managed Redis SKU"},
		{"sku too small", "memory: 8Gi", managed + "  sku: Balanced_B5\n", "provider.sku", "holds 6Gi but the spec needs 8Gi"},
		{"memory beyond the tier", "layout: cluster\nshards: 10\nmemory: 200Gi", managed, "memory", "set provider.tier: MemoryOptimized"},
		{"password", "auth:\n  password: generate", managed, "auth.password", "Azure generates the access keys"},
		{"finalExport generate", "layout: single", managed + "  finalExport: generate\n", "provider.finalExport", "not generate"},
		{"export and skip", "layout: single", managed + "  finalExport: env:X\n  skipFinalExport: true\n", "provider.skipFinalExport", "not both"},
		{"cluster name", "layout: single", managed + "  clusterName: -bad-\n", "provider.clusterName", "1 to 60 letters"},
		{"classic tier outside classic", "layout: single", managed + "  classicTier: Premium\n", "provider.classicTier", "existing classic cache"},
		{"managed setting on classic", "layout: ha", classic + "  sku: Balanced_B1\n", "provider.sku", "Azure Managed Redis only"},
		{"classic single is Basic", "layout: single", classic + "  classicTier: Standard\n", "provider.classicTier", "layout single is a Basic cache"},
		{"classic cluster is Premium", "layout: cluster", classic + "  classicTier: Standard\n", "provider.classicTier", "clustering needs a Premium cache"},
		{"classic standard replicas", "layout: ha\nreplicas: 2", classic + "  classicTier: Standard\n", "replicas", "exactly one replica"},
		{"classic memory", "layout: ha\nmemory: 64Gi", classic, "memory", "at most 53Gi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if p := providertest.Problem(t, validate(t, c.body, c.provider), c.path, c.want); p.Line == 0 {
				t.Errorf("problem at %s has no position", p.Path)
			}
		})
	}
}

func TestValidateAcceptsAndWarns(t *testing.T) {
	resp := validate(t, "layout: cluster\nshards: 4\nmemory: 12Gi\nnetwork:\n  allowedCIDRs: [10.0.0.0/8]\nengine:\n  version: \"7.2\"",
		"  resourceGroup: rg\n  location: westeurope\n  tier: MemoryOptimized\n")
	if len(resp.Problems) > 0 {
		t.Fatalf("problems: %v", resp.Problems)
	}
	w := strings.Join(resp.Warnings, "\n")
	for _, want := range []string{"allowedCIDRs is not enforced", `engine.version "7.2" is not applied`} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if resp := validate(t, "layout: ha\nreplicas: 3\nmemory: 13Gi", "  resourceGroup: rg\n  classicCache: old\n  classicTier: Premium\n"); len(resp.Problems) > 0 {
		t.Errorf("classic Premium ha: %v", resp.Problems)
	}
}

func TestSKUChoice(t *testing.T) {
	cases := []struct {
		tier Tier
		need string
		want string
	}{
		{TierBalanced, "256Mi", "Balanced_B0"},
		{TierBalanced, "1Gi", "Balanced_B1"},
		{TierBalanced, "1025Mi", "Balanced_B3"},
		{TierBalanced, "6Gi", "Balanced_B5"},
		{TierMemoryOptimized, "1Gi", "MemoryOptimized_M10"},
		{TierMemoryOptimized, "1500Gi", "MemoryOptimized_M2000"},
		{TierComputeOptimized, "24Gi", "ComputeOptimized_X20"},
	}
	for _, c := range cases {
		got, err := chooseSKU(c.tier, topology.MustParseQuantity(c.need).Bytes)
		if err != nil || got.Name != c.want {
			t.Errorf("chooseSKU(%s, %s) = %s, %v; want %s", c.tier, c.need, got.Name, err, c.want)
		}
	}
	if _, err := chooseSKU(TierComputeOptimized, 800*gib); err == nil {
		t.Error("800Gi fits no Compute Optimized SKU")
	}
}
