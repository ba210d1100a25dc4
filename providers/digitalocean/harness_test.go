package digitalocean

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
)

// testEnv runs redisctl's real flow (deploy.Session: refresh, plan,
// journaled apply) with the provider's godo client pointed at a fake.
type testEnv struct {
	t        *testing.T
	fake     *dofake.Server
	prov     *Provider
	dir      string
	stateDir string
	progress *syncBuffer
	// out, when set, receives progress instead of progress.
	out io.Writer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	fake := dofake.New()
	t.Cleanup(fake.Close)
	t.Setenv(deploy.PollIntervalEnv, "1ms")
	dir := t.TempDir()
	return &testEnv{t: t, fake: fake, prov: testProvider(fake.URL(), dofake.Token), dir: dir,
		stateDir: filepath.Join(dir, "state"), progress: &syncBuffer{}}
}

// testProvider is the provider with its token and endpoint from a fixed
// environment and retries in milliseconds.
func testProvider(endpoint, token string) *Provider {
	env := map[string]string{EnvToken: token, EnvEndpoint: endpoint}
	return &Provider{Getenv: func(k string) string { return env[k] }, RetryMax: 4,
		RetryWait: time.Millisecond, RetryMaxWait: 20 * time.Millisecond}
}

func (e *testEnv) open(spec string) (*deploy.Session, error) {
	e.t.Helper()
	path := filepath.Join(e.dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		e.t.Fatal(err)
	}
	reg := providers.NewRegistry()
	reg.Register(Name, func() providers.Provider { return e.prov })
	var out io.Writer = e.progress
	if e.out != nil {
		out = e.out
	}
	return deploy.Open(context.Background(), path, deploy.Options{Registry: reg, StateDir: e.stateDir, Progress: out})
}

func (e *testEnv) mustOpen(spec string) *deploy.Session {
	e.t.Helper()
	s, err := e.open(spec)
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return s
}

func (e *testEnv) plan(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.mustOpen(spec).Plan(context.Background(), false)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

// apply plans and applies spec (or, with destroy, its removal).
func (e *testEnv) apply(ctx context.Context, spec string, destroy, allowLoss bool) (*plan.Plan, error) {
	e.t.Helper()
	s := e.mustOpen(spec)
	lock, err := s.Lock("apply")
	if err != nil {
		e.t.Fatal(err)
	}
	defer lock.Release()
	p, err := s.Plan(ctx, destroy)
	if err != nil {
		return nil, err
	}
	return p, s.Apply(ctx, lock, p, deploy.ApplyOptions{AllowDataLoss: allowLoss})
}

func (e *testEnv) mustApply(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.apply(context.Background(), spec, false, false)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return p
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

func (e *testEnv) expectCleanPlan(spec, after string) {
	e.t.Helper()
	p := e.plan(spec)
	if !p.Empty() || len(p.Drift) > 0 {
		var b bytes.Buffer
		plan.RenderHuman(&b, p, false)
		e.t.Fatalf("plan after %s is not empty:\n%s\ndrift: %+v", after, b.String(), p.Drift)
	}
}

func changeOf(t *testing.T, p *plan.Plan) providers.Change {
	t.Helper()
	if len(p.Changes) != 1 {
		t.Fatalf("plan has %d changes, want 1: %+v", len(p.Changes), p.Changes)
	}
	return p.Changes[0]
}

// cancelOn is a progress writer that cancels when a line contains text.
type cancelOn struct {
	syncBuffer
	text   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(b []byte) (int, error) {
	n, err := c.syncBuffer.Write(b)
	if strings.Contains(string(b), c.text) {
		c.cancel()
	}
	return n, err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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
