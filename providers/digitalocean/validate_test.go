package digitalocean

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
	"github.com/redisctl/redisctl/topology"
)

const specHead = "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: cache\n"

// baseBody is a valid spec body; cases append to it or edit it.
const baseBody = `layout: single
memory: 2Gi
tls:
  enabled: true
engine:
  name: valkey
network:
  allowedCIDRs: [10.0.0.0/8]
provider:
  name: digitalocean
  region: nyc3
`

func parse(t *testing.T, body string) *topology.Spec {
	t.Helper()
	spec, err := topology.Parse("spec.yaml", []byte(specHead+body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return spec
}

func validate(t *testing.T, body string) *providers.ValidateResponse {
	t.Helper()
	return providertest.Validate(t, New(), specHead+body)
}

func TestValidateAcceptsExamplesShapes(t *testing.T) {
	resp := validate(t, baseBody)
	if len(resp.Problems) > 0 || len(resp.Warnings) > 0 {
		t.Errorf("problems %v, warnings %v", resp.Problems, resp.Warnings)
	}
	ha := strings.Replace(baseBody, "layout: single", "layout: ha\nreplicas: 1", 1)
	if resp := validate(t, ha); len(resp.Problems) > 0 {
		t.Errorf("ha with 2Gi: %v", resp.Problems)
	}
}

func TestValidateProblems(t *testing.T) {
	cases := []struct {
		name, from, to string
		path, want     string
	}{
		{"cluster layout", "layout: single", "layout: cluster", "layout", "no cluster mode (no sharding); the closest is layout: ha with a larger plan"},
		{"two replicas", "layout: single", "layout: ha\nreplicas: 2", "replicas", "at most one standby node, so replicas: 2 is not possible; use replicas: 1"},
		{"standby on 1 GB", "layout: single\nmemory: 2Gi", "layout: ha\nreplicas: 1\nmemory: 1Gi", "memory", "standby nodes only on plans with 2 GB of RAM or more"},
		{"standby on small size", "layout: single\nmemory: 2Gi", "layout: ha\nreplicas: 1\nmemory: 1Gi", "memory", "db-s-1vcpu-1gb"},
		{"too much memory", "memory: 2Gi", "memory: 300Gi", "memory", "more than DigitalOcean's largest Valkey plan (256 GiB)"},
		{"unknown size", "region: nyc3", "region: nyc3\n  size: db-s-huge", "provider.size", `"db-s-huge" is not a DigitalOcean database plan`},
		{"memory over size", "region: nyc3", "region: nyc3\n  size: db-s-1vcpu-1gb", "memory", "2Gi does not fit on plan db-s-1vcpu-1gb"},
		{"lfu", "memory: 2Gi", "memory: 2Gi\nevictionPolicy: allkeys-lfu", "evictionPolicy", "not allkeys-lfu; the closest is allkeys-lru"},
		{"aof", "memory: 2Gi", "memory: 2Gi\npersistence:\n  mode: aof", "persistence.mode", "RDB snapshots only"},
		{"no tls", "  enabled: true", "  enabled: false", "tls.enabled", "accepts TLS connections only"},
		{"password", "memory: 2Gi", "memory: 2Gi\nauth:\n  password: generate", "auth.password", "DigitalOcean generates the cluster's password"},
		{"no region", "  region: nyc3\n", "", "provider.region", "needs a region"},
		{"bad region", "region: nyc3", "region: New York", "provider.region", "not a DigitalOcean region slug"},
		{"old version", "  name: valkey", "  name: valkey\n  version: \"7.2\"", "engine.version", `offers Valkey 8, not "7.2"`},
		{"redis version", "  name: valkey", "  name: redis\n  version: \"7\"", "engine.version", `offers Valkey 8, not "7"`},
		{"bad source", "region: nyc3", "region: nyc3\n  trustedSources: [web]", "provider.trustedSources[0]", "not type:value"},
		{"bad tag", "region: nyc3", "region: nyc3\n  tags: [\"a b\"]", "provider.tags[0]", "not a DigitalOcean tag"},
		{"bad day", "region: nyc3", "region: nyc3\n  maintenanceWindow: {day: someday, hour: \"03:00\"}", "provider.maintenanceWindow.day", "not a day of the week"},
		{"bad hour", "region: nyc3", "region: nyc3\n  maintenanceWindow: {day: monday, hour: \"3pm\"}", "provider.maintenanceWindow.hour", "not an hour HH:MM"},
		{"bad vpc", "region: nyc3", "region: nyc3\n  vpc: default", "provider.vpc", "not a VPC network UUID"},
		{"bad name", "region: nyc3", "region: nyc3\n  clusterName: Cache_1", "provider.clusterName", "not a valid DigitalOcean cluster name"},
		{"bad endpoint", "region: nyc3", "region: nyc3\n  endpoint: both", "provider.endpoint", "neither public nor private"},
		{"unknown setting", "region: nyc3", "region: nyc3\n  zone: a", "provider.zone", "unknown field"},
		{"ipv6 source", "[10.0.0.0/8]", "[\"2001:db8::/32\"]", "network.allowedCIDRs[0]", "IPv4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(baseBody, c.from, c.to, 1)
			if body == baseBody {
				t.Fatalf("edit %q changed nothing", c.from)
			}
			if p := providertest.Problem(t, validate(t, body), c.path, c.want); p.Line == 0 {
				t.Errorf("problem at %s has no position", p.Path)
			}
		})
	}
}

func TestValidateWarnings(t *testing.T) {
	body := strings.Replace(baseBody, "  name: valkey", "  name: redis", 1)
	body = strings.Replace(body, "network:\n  allowedCIDRs: [10.0.0.0/8]\n", "zones: [nyc3-a]\nnetwork:\n  bind: 0.0.0.0\n  basePort: 7000\n", 1)
	resp := validate(t, body)
	if len(resp.Problems) > 0 {
		t.Fatalf("problems: %v", resp.Problems)
	}
	all := strings.Join(resp.Warnings, "\n")
	for _, want := range []string{
		"DigitalOcean's managed Redis is retired, so this deployment runs Valkey 8",
		"zones are ignored", "network.bind is ignored", "port 25061",
		"accepts connections from any address",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}

func TestSizeForMemory(t *testing.T) {
	cases := map[int64]string{
		1:           "db-s-1vcpu-1gb",
		256 << 20:   "db-s-1vcpu-1gb",
		gib:         "db-s-1vcpu-1gb",
		gib + 1:     "db-s-1vcpu-2gb",
		3 * gib:     "db-s-2vcpu-4gb",
		64 * gib:    "db-s-16vcpu-64gb",
		65 * gib:    "m-16vcpu-128gb",
		256 * gib:   "m-32vcpu-256gb",
		256*gib + 1: "",
		1000 * gib:  "",
	}
	for mem, want := range cases {
		got, ok := sizeFor(mem)
		if got.Slug != want || ok != (want != "") {
			t.Errorf("sizeFor(%d) = %q, %v; want %q", mem, got.Slug, ok, want)
		}
	}
}
