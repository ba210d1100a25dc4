// Package providertest drives a provider through redisctl's real flow
// (deploy.Session: refresh, plan, journaled apply, destroy) in tests, so
// every provider's tests and the conformance suite share one harness.
package providertest

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
)

// Env is one deployment in a temporary directory: the spec is written to
// SpecPath before each open and state is kept under StateDir. The Must and
// Expect methods fail the test that made the Env.
type Env struct {
	t        testing.TB
	Dir      string
	SpecPath string
	StateDir string
	// Registry holds the provider under test; a test may replace it.
	Registry *providers.Registry
	// Progress records every progress line the flow writes.
	Progress SyncBuffer
	// onProgress, when set, sees every progress write after it is recorded.
	onProgress func(string)
}

// New returns an Env whose registry builds the provider called name with f.
func New(t testing.TB, name string, f providers.Factory) *Env {
	dir := t.TempDir()
	reg := providers.NewRegistry()
	reg.Register(name, f)
	return &Env{t: t, Dir: dir, SpecPath: filepath.Join(dir, "spec.yaml"), StateDir: filepath.Join(dir, "state"), Registry: reg}
}

// Open writes spec to SpecPath and opens it.
func (e *Env) Open(spec string) (*deploy.Session, error) {
	if err := os.WriteFile(e.SpecPath, []byte(spec), 0o600); err != nil {
		return nil, err
	}
	return deploy.Open(context.Background(), e.SpecPath, deploy.Options{Registry: e.Registry, StateDir: e.StateDir, Progress: progressWriter{e}})
}

// MustOpen is Open that fails the test on an error.
func (e *Env) MustOpen(spec string) *deploy.Session {
	e.t.Helper()
	s, err := e.Open(spec)
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return s
}

// Plan plans spec.
func (e *Env) Plan(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.MustOpen(spec).Plan(context.Background(), false)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return p
}

// Run plans spec (or, with destroy, its removal) and applies the plan
// under ctx and the state lock, as `redisctl apply` does.
func (e *Env) Run(ctx context.Context, spec string, destroy, allowLoss bool) (*plan.Plan, error) {
	e.t.Helper()
	s := e.MustOpen(spec)
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

// CancelWhen returns a context that is cancelled once a progress line
// contains text: a run under it stops as if killed at that point.
func (e *Env) CancelWhen(text string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	e.onProgress = func(s string) {
		if strings.Contains(s, text) {
			cancel()
		}
	}
	return ctx
}

// MustApply plans and applies spec.
func (e *Env) MustApply(spec string, allowLoss bool) *plan.Plan {
	e.t.Helper()
	p, err := e.Run(context.Background(), spec, false, allowLoss)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return p
}

// MustDestroy plans and applies the removal of spec's deployment.
func (e *Env) MustDestroy(spec string) *plan.Plan {
	e.t.Helper()
	p, err := e.Run(context.Background(), spec, true, true)
	if err != nil {
		e.t.Fatalf("destroy: %v", err)
	}
	return p
}

// ExpectClean fails the test unless a re-plan of spec is empty and reports
// no drift: what was applied is what the spec asks for.
func (e *Env) ExpectClean(spec string) {
	e.t.Helper()
	p := e.Plan(spec)
	if !p.Empty() || len(p.Drift) > 0 {
		e.t.Fatalf("re-plan is not clean:\n%s\ndrift: %+v", Render(e.t, p), p.Drift)
	}
}

// Render shows p in every view (human, JSON, Markdown).
func Render(t testing.TB, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range []plan.Format{plan.FormatHuman, plan.FormatJSON, plan.FormatMarkdown} {
		if err := plan.Render(&b, p, f, false); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// Change returns p's change to addr and fails the test when there is none.
func Change(t testing.TB, p *plan.Plan, addr string) providers.Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	t.Fatalf("plan has no change for %s:\n%s", addr, Render(t, p))
	return providers.Change{}
}

// progressWriter records progress in Env.Progress and shows it to onProgress.
type progressWriter struct{ e *Env }

func (w progressWriter) Write(p []byte) (int, error) {
	n, err := w.e.Progress.Write(p)
	if w.e.onProgress != nil {
		w.e.onProgress(string(p))
	}
	return n, err
}

// SyncBuffer is a bytes.Buffer safe for the parallel steps of an apply.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
