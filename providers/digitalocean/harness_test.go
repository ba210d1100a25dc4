package digitalocean

import (
	"testing"
	"time"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// testEnv runs redisctl's real flow (deploy.Session: refresh, plan,
// journaled apply) with the provider's godo client pointed at a fake.
type testEnv struct {
	*providertest.Env
	t    *testing.T
	fake *dofake.Server
	// prov is what the registry hands out; a test may replace it.
	prov *Provider
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	fake := dofake.New()
	t.Cleanup(fake.Close)
	t.Setenv(deploy.PollIntervalEnv, "1ms")
	e := &testEnv{t: t, fake: fake, prov: testProvider(fake.URL(), dofake.Token)}
	e.Env = providertest.New(t, Name, func() providers.Provider { return e.prov })
	return e
}

// testProvider is the provider with its token and endpoint from a fixed
// environment and retries in milliseconds.
func testProvider(endpoint, token string) *Provider {
	env := map[string]string{EnvToken: token, EnvEndpoint: endpoint}
	return &Provider{Getenv: func(k string) string { return env[k] }, RetryMax: 4,
		RetryWait: time.Millisecond, RetryMaxWait: 20 * time.Millisecond}
}

// onlyCluster is the fake's single cluster.
func (e *testEnv) onlyCluster() dofake.Cluster {
	e.t.Helper()
	cs := e.fake.Clusters()
	if len(cs) != 1 {
		e.t.Fatalf("fake holds %d clusters, want 1", len(cs))
	}
	return cs[0]
}

func changeOf(t *testing.T, p *plan.Plan) providers.Change {
	t.Helper()
	if len(p.Changes) != 1 {
		t.Fatalf("plan has %d changes, want 1: %+v", len(p.Changes), p.Changes)
	}
	return p.Changes[0]
}

const testSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: cache
labels:
  team: core
layout: single
memory: 2Gi
evictionPolicy: allkeys-lru
tls:
  enabled: true
engine:
  name: valkey
network:
  allowedCIDRs: [10.0.0.0/8, 192.168.1.7/32]
provider:
  name: digitalocean
  region: nyc3
`
