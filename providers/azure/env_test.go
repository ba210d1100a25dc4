package azure

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/azure/armfake"
)

// testSpec is a small ha Managed Redis deployment.
const testSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: orders
layout: ha
memory: 1Gi
tls:
  enabled: true
provider:
  name: azure
  resourceGroup: ` + testRG + `
  location: westeurope
  finalExport: env:` + testSASEnv + `
`

// env drives the provider through deploy.Session against a fake.
type env struct {
	t        *testing.T
	srv      *armfake.Server
	prov     *Provider
	dir      string
	progress *syncBuffer
	// onProgress, when set, sees every progress write.
	onProgress func(string)
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, srv: fakeEnv(t), prov: newTestProvider(), dir: t.TempDir()}
	e.progress = &syncBuffer{on: func(s string) {
		if e.onProgress != nil {
			e.onProgress(s)
		}
	}}
	return e
}

func (e *env) open(spec string) (*deploy.Session, error) {
	e.t.Helper()
	path := filepath.Join(e.dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		e.t.Fatal(err)
	}
	reg := providers.NewRegistry()
	reg.Register(Name, func() providers.Provider { return e.prov })
	return deploy.Open(context.Background(), path, deploy.Options{Registry: reg, StateDir: filepath.Join(e.dir, "state"), Progress: e.progress})
}

func (e *env) mustOpen(spec string) *deploy.Session {
	e.t.Helper()
	s, err := e.open(spec)
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return s
}

func (e *env) plan(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.mustOpen(spec).Plan(context.Background(), false)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

// apply plans and applies; destroy plans the removal instead.
func (e *env) apply(ctx context.Context, spec string, destroy, allowLoss bool) (*plan.Plan, error) {
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

func (e *env) mustApply(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.apply(context.Background(), spec, false, true)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return p
}

// render shows a plan in every view.
func render(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range []plan.Format{plan.FormatHuman, plan.FormatJSON, plan.FormatMarkdown} {
		if err := plan.Render(&b, p, f, false); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// change returns the plan's change to addr (nil when there is none).
func change(p *plan.Plan, addr string) *providers.Change {
	for i := range p.Changes {
		if p.Changes[i].Address == addr {
			return &p.Changes[i]
		}
	}
	return nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
	on func(string)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.b.Write(p)
	s.mu.Unlock()
	if s.on != nil {
		s.on(string(p))
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	addrCluster  = typeCluster + ".main"
	addrDatabase = typeDatabase + ".default"
	addrCache    = typeCache + ".main"
)
