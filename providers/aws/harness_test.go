package aws

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
	"github.com/redisctl/redisctl/providers/aws/elasticachefake"
)

// harness drives the provider through redisctl's real flow (deploy.Session)
// against a fake ElastiCache.
type harness struct {
	t        *testing.T
	f        *elasticachefake.Server
	specPath string
	stateDir string
	progress syncBuffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	return &harness{t: t, f: useFake(t), specPath: filepath.Join(dir, "spec.yaml"), stateDir: filepath.Join(dir, "state")}
}

func (h *harness) open(spec string) *deploy.Session {
	h.t.Helper()
	if err := os.WriteFile(h.specPath, []byte(spec), 0o600); err != nil {
		h.t.Fatal(err)
	}
	reg := providers.NewRegistry()
	reg.Register(Name, func() providers.Provider { return New() })
	s, err := deploy.Open(context.Background(), h.specPath, deploy.Options{Registry: reg, StateDir: h.stateDir, Progress: &h.progress})
	if err != nil {
		h.t.Fatalf("open spec: %v", err)
	}
	return s
}

func (h *harness) plan(spec string) *plan.Plan {
	h.t.Helper()
	p, err := h.open(spec).Plan(context.Background(), false)
	if err != nil {
		h.t.Fatalf("plan: %v", err)
	}
	return p
}

// run plans and applies (or destroys) under ctx.
func (h *harness) run(ctx context.Context, spec string, destroy, allowLoss bool) (*plan.Plan, error) {
	h.t.Helper()
	s := h.open(spec)
	lock, err := s.Lock("apply")
	if err != nil {
		h.t.Fatal(err)
	}
	defer lock.Release()
	p, err := s.Plan(ctx, destroy)
	if err != nil {
		return nil, err
	}
	return p, s.Apply(ctx, lock, p, deploy.ApplyOptions{AllowDataLoss: allowLoss})
}

func (h *harness) apply(spec string) *plan.Plan {
	h.t.Helper()
	p, err := h.run(context.Background(), spec, false, true)
	if err != nil {
		h.t.Fatalf("apply: %v", err)
	}
	return p
}

func (h *harness) destroy(spec string) {
	h.t.Helper()
	if _, err := h.run(context.Background(), spec, true, true); err != nil {
		h.t.Fatalf("destroy: %v", err)
	}
}

// clean asserts the next plan is empty and reports no drift.
func (h *harness) clean(spec string) {
	h.t.Helper()
	p := h.plan(spec)
	if !p.Empty() || len(p.Drift) > 0 {
		var b bytes.Buffer
		_ = plan.RenderHuman(&b, p, false)
		h.t.Fatalf("plan is not empty:\n%s", b.String())
	}
}

func change(t *testing.T, p *plan.Plan, addr string) providers.Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	var b bytes.Buffer
	_ = plan.RenderHuman(&b, p, false)
	t.Fatalf("plan has no change for %s:\n%s", addr, b.String())
	return providers.Change{}
}

func attr(c providers.Change, name string) *providers.AttrChange {
	for i := range c.Attrs {
		if c.Attrs[i].Name == name {
			return &c.Attrs[i]
		}
	}
	return nil
}

// actionsSince lists the mutating calls the fake answered after mark.
func actionsSince(f *elasticachefake.Server, mark int) []string {
	a := f.Actions()
	if mark > len(a) {
		return nil
	}
	return a[mark:]
}

// spec is a small spec builder: the base single-node spec with edits.
func spec(edits ...string) string {
	s := `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: unit
layout: single
memory: 512Mi
auth:
  password: env:UNIT_PASSWORD
tls:
  enabled: true
engine:
  name: redis
  version: "7.1"
provider:
  name: aws
`
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			panic("spec edit: no " + edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
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
