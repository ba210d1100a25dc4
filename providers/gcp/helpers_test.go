package gcp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
)

// testProvider is the provider pointed at a fake, with millisecond retries.
func testProvider(f *memorystorefake.Server) *Provider {
	p := New()
	p.ClientOptions = []option.ClientOption{
		option.WithEndpoint(f.Addr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
	p.Backoff = gax.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Multiplier: 2}
	p.Now = func() time.Time { return time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC) }
	return p
}

// env is one deployment driven through redisctl's real flow against a fake.
type env struct {
	t        *testing.T
	fake     *memorystorefake.Server
	reg      *providers.Registry
	dir      string
	specPath string
	stateDir string
	progress syncBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	t.Setenv(deploy.PollIntervalEnv, "2ms")
	f := memorystorefake.Start(t)
	e := &env{t: t, fake: f, reg: providers.NewRegistry(), dir: t.TempDir()}
	e.specPath = filepath.Join(e.dir, "spec.yaml")
	e.stateDir = filepath.Join(e.dir, "state")
	e.reg.Register(Name, func() providers.Provider { return testProvider(f) })
	return e
}

func (e *env) open(spec string) *deploy.Session {
	e.t.Helper()
	if err := os.WriteFile(e.specPath, []byte(spec), 0o600); err != nil {
		e.t.Fatal(err)
	}
	s, err := deploy.Open(context.Background(), e.specPath, deploy.Options{Registry: e.reg, StateDir: e.stateDir, Progress: &e.progress})
	if err != nil {
		e.t.Fatalf("open spec: %v", err)
	}
	return s
}

func (e *env) plan(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.open(spec).Plan(context.Background(), false)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

// apply plans and applies spec (or destroys with destroy set).
func (e *env) apply(ctx context.Context, spec string, destroy, allowLoss bool) (*plan.Plan, error) {
	e.t.Helper()
	s := e.open(spec)
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

func (e *env) mustApply(spec string, allowLoss bool) *plan.Plan {
	e.t.Helper()
	p, err := e.apply(context.Background(), spec, false, allowLoss)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return p
}

func (e *env) mustDestroy(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.apply(context.Background(), spec, true, true)
	if err != nil {
		e.t.Fatalf("destroy: %v", err)
	}
	return p
}

// clean checks that a re-plan is empty and reports no drift.
func (e *env) clean(spec, step string) {
	e.t.Helper()
	p := e.plan(spec)
	if !p.Empty() || len(p.Drift) > 0 {
		e.t.Fatalf("re-plan after %s is not clean:\n%s", step, render(p))
	}
}

// stateFiles returns everything under the state directory but generated secrets.
func (e *env) stateFiles() string {
	var b strings.Builder
	filepath.Walk(e.stateDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

func render(p *plan.Plan) string {
	var b bytes.Buffer
	for _, f := range []plan.Format{plan.FormatHuman, plan.FormatJSON, plan.FormatMarkdown} {
		plan.Render(&b, p, f, false)
	}
	return b.String()
}

func change(t *testing.T, p *plan.Plan, addr string) providers.Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	t.Fatalf("plan has no change for %s:\n%s", addr, render(p))
	return providers.Change{}
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

const singleSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: cache
layout: single
memory: 1Gi
labels:
  team: web
provider:
  name: gcp
  project: demo-project
  authEnabled: true
  region: us-central1
  finalSnapshotBucket: gs://demo-backups/redis
`

const instanceName = "projects/demo-project/locations/us-central1/instances/cache"
