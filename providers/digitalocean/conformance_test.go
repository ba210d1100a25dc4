package digitalocean

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
)

// The conformance spec sets no auth.password: DigitalOcean generates the
// password (TestPasswordNeverWrittenInClear checks that one stays out of
// state, plans and progress).
const conformanceSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-do
layout: single
memory: 2Gi
evictionPolicy: allkeys-lru
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

func TestConformance(t *testing.T) {
	fake := dofake.New()
	defer fake.Close()
	t.Setenv(deploy.PollIntervalEnv, "1ms")
	prov := testProvider(fake.URL(), dofake.Token)
	const addr = "digitalocean_database_cluster.main"
	update := func(impact providers.Impact) map[string]conformance.Want {
		return conformance.Only(addr, providers.ActionUpdate, impact)
	}
	replace := conformance.Only(addr, providers.ActionReplace, providers.ImpactDataLoss)
	var lastID string
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return prov },
		Spec: conformanceSpec,
		Changes: []conformance.Change{
			{Name: "resize up", Edit: conformance.Replace("memory: 2Gi", "memory: 4Gi"), Want: update(providers.ImpactReconnect)},
			{Name: "standby added", Edit: conformance.Replace("layout: single", "layout: ha\nreplicas: 1"), Want: update(providers.ImpactOnline)},
			{Name: "eviction policy", Edit: conformance.Replace("allkeys-lru", "volatile-lru"), Want: update(providers.ImpactOnline)},
			{Name: "persistence", Edit: conformance.Replace("evictionPolicy: volatile-lru", "evictionPolicy: volatile-lru\npersistence:\n  mode: rdb"), Want: update(providers.ImpactOnline)},
			{Name: "trusted sources", Edit: conformance.Replace("[10.0.0.0/8]", "[10.0.0.0/8, 172.16.0.0/12]\n"), Want: update(providers.ImpactOnline)},
			{Name: "labels", Edit: conformance.Replace("layout: ha", "labels:\n  env: prod\nlayout: ha"), Want: update(providers.ImpactMetadata)},
			{Name: "maintenance window", Edit: conformance.Replace("region: nyc3", "region: nyc3\n  maintenanceWindow: {day: sunday, hour: \"04:00\"}"), Want: update(providers.ImpactMetadata)},
			{Name: "region migrates", Edit: conformance.Replace("region: nyc3", "region: ams3"), Want: update(providers.ImpactReconnect)},
			{Name: "resize down replaces", Edit: conformance.Replace("memory: 4Gi", "memory: 2Gi"), Want: replace, AllowDataLoss: true},
			{Name: "vpc replaces", Edit: conformance.Replace("region: ams3", "region: ams3\n  vpc: 11111111-2222-4333-8444-555555555555"), Want: replace, AllowDataLoss: true},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			cs := fake.Clusters()
			if len(cs) != 1 {
				t.Fatalf("after %s the fake holds %d clusters, want 1", step, len(cs))
			}
			c := cs[0]
			e := s.State.Find(addr)
			if e == nil || e.ID != c.ID {
				t.Fatalf("after %s state records %+v, the fake holds %s", step, e, c.ID)
			}
			replaced := step == "resize down replaces" || step == "vpc replaces"
			if step != "create" && step != "adoption" && (c.ID != lastID) != replaced {
				t.Errorf("%s: cluster %s → %s (replaced: %v)", step, lastID, c.ID, replaced)
			}
			lastID = c.ID
			checks := map[string]bool{
				"resize up":            c.Size == "db-s-2vcpu-4gb",
				"standby added":        c.NumNodes == 2,
				"eviction policy":      c.EvictionPolicy == "volatile_lru",
				"persistence":          c.Persistence == "rdb",
				"trusted sources":      len(c.Rules) == 2,
				"labels":               strings.Contains(strings.Join(c.Tags, ","), "env:prod"),
				"maintenance window":   c.MaintenanceDay == "sunday" && c.MaintenanceHour == "04:00:00",
				"region migrates":      c.Region == "ams3",
				"resize down replaces": c.Size == "db-s-1vcpu-2gb" && c.NumNodes == 2 && c.EvictionPolicy == "volatile_lru",
				"vpc replaces":         c.VPC == "11111111-2222-4333-8444-555555555555" && c.Region == "ams3",
			}
			if ok, known := checks[step]; known && !ok {
				t.Errorf("%s not applied: %+v", step, c)
			}
		},
		Gone: func(t *testing.T) {
			if cs := fake.Clusters(); len(cs) != 0 {
				t.Errorf("%d clusters left after destroy", len(cs))
			}
		},
	})
}
