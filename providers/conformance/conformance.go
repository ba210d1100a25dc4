// Package conformance is the test suite every provider passes: it drives a
// provider through redisctl's real flow (deploy.Session: refresh, plan,
// journaled apply, destroy) and checks the contract's promises — a clean
// re-plan after apply, in-place changes applied in place, replacements
// classified, interrupted creations adopted rather than duplicated, and no
// secret in plans, state or progress output.
package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/providertest"
)

// Harness describes the provider under test and the specs to drive it with.
type Harness struct {
	// Name is the provider's registered name; New builds it.
	Name string
	New  providers.Factory
	// Spec is the initial spec (YAML). It should set auth.password from
	// env:REDISCTL_CONFORMANCE_PASSWORD so secret handling is checked.
	Spec string
	// Changes are applied in order after the initial apply.
	Changes []Change
	// Check, when set, inspects the real world after each apply (e.g. that
	// a process kept its pid, or that the fake holds one cache).
	Check func(t *testing.T, step string, s *deploy.Session)
	// Gone, when set, checks that nothing the provider made is left after destroy.
	Gone func(t *testing.T)
}

// Change is a spec edit and what its plan must say.
type Change struct {
	Name string
	// Edit turns the previous spec into the new one.
	Edit func(spec string) string
	// Want maps addresses to the action and impact the plan must give them;
	// every address in the plan must be listed.
	Want map[string]Want
	// AllowDataLoss passes --allow-data-loss to apply.
	AllowDataLoss bool
}

// Want is the expected action and impact of one change.
type Want struct {
	Action providers.Action
	Impact providers.Impact
}

// Replace is an Edit that replaces the first old in the spec with new.
func Replace(old, new string) func(spec string) string {
	return func(spec string) string { return strings.Replace(spec, old, new, 1) }
}

// Only is the Want of a plan that changes addr alone.
func Only(addr string, action providers.Action, impact providers.Impact) map[string]Want {
	return map[string]Want{addr: {Action: action, Impact: impact}}
}

// PasswordEnv is the variable conformance specs take their password from.
const PasswordEnv = "REDISCTL_CONFORMANCE_PASSWORD"

const password = "conformance-Secret-7f3a9c"

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Setenv(PasswordEnv, password)
	env := providertest.New(t, h.Name, h.New)
	stateDir := env.StateDir
	open := func(t *testing.T, spec string) *deploy.Session {
		t.Helper()
		s, err := env.Open(spec)
		if err != nil {
			t.Fatalf("open spec: %v", err)
		}
		return s
	}
	planAndApply := func(t *testing.T, s *deploy.Session, allowLoss bool) *plan.Plan {
		t.Helper()
		ctx := context.Background()
		lock, err := s.Lock("apply")
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Release()
		p, err := s.Plan(ctx, false)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		checkNoSecret(t, "plan", p)
		if err := s.Apply(ctx, lock, p, deploy.ApplyOptions{AllowDataLoss: allowLoss}); err != nil {
			t.Fatalf("apply: %v", err)
		}
		return p
	}
	cleanPlan := func(t *testing.T, spec, step string) {
		t.Helper()
		p, err := open(t, spec).Plan(context.Background(), false)
		if err != nil {
			t.Fatalf("re-plan after %s: %v", step, err)
		}
		if !p.Empty() {
			var b bytes.Buffer
			plan.RenderHuman(&b, p, false)
			t.Fatalf("re-plan after %s is not empty (perpetual diff):\n%s", step, b.String())
		}
		if len(p.Drift) > 0 {
			t.Errorf("re-plan after %s reports drift: %+v", step, p.Drift)
		}
	}
	spec := h.Spec
	t.Cleanup(func() {
		// Leave nothing running, whatever failed.
		if s, err := env.Open(spec); err == nil && !s.State.Empty() {
			if lock, err := s.Lock("destroy"); err == nil {
				if p, err := s.Plan(context.Background(), true); err == nil {
					_ = s.Apply(context.Background(), lock, p, deploy.ApplyOptions{AllowDataLoss: true})
				}
				lock.Release()
			}
		}
	})

	t.Run("create", func(t *testing.T) {
		s := open(t, spec)
		p, err := s.Plan(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if p.Empty() {
			t.Fatal("first plan is empty")
		}
		for _, c := range p.Changes {
			if c.Action != providers.ActionCreate {
				t.Errorf("first plan: %s %s, want create", c.Address, c.Action)
			}
		}
		if code := p.ExitCode(); code != plan.ExitSafe {
			t.Errorf("first plan exit code %d, want %d", code, plan.ExitSafe)
		}
		planAndApply(t, s, false)
		if h.Check != nil {
			h.Check(t, "create", s)
		}
		cleanPlan(t, spec, "create")
	})
	if t.Failed() {
		return
	}

	t.Run("interrupted create is adopted", func(t *testing.T) {
		// Simulate a crash after the provider made a resource but before
		// state recorded it: the entry is back to "pending create".
		st := (&state.Store{Dir: stateDir})
		s := open(t, spec)
		e := s.State.Resources[0]
		target := e.Resource
		e.Pending = &state.Pending{Action: providers.ActionCreate, Target: &target, Journal: nil}
		e.Resource = providers.Resource{Type: target.Type, Name: target.Name}
		s.State.Put(e)
		if err := st.Save(s.State); err != nil {
			t.Fatal(err)
		}
		p, err := open(t, spec).Plan(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			if c.Action == providers.ActionCreate && c.Address == target.Address() {
				t.Fatalf("%s exists but the plan creates it again (would duplicate it)", c.Address)
			}
		}
		planAndApply(t, open(t, spec), false)
		cleanPlan(t, spec, "adoption")
		if h.Check != nil {
			h.Check(t, "adoption", open(t, spec))
		}
	})

	for _, ch := range h.Changes {
		ch := ch
		t.Run(ch.Name, func(t *testing.T) {
			next := ch.Edit(spec)
			if next == spec {
				t.Fatal("Edit changed nothing")
			}
			spec = next
			s := open(t, spec)
			p, err := s.Plan(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Want{}
			for _, c := range p.Changes {
				got[c.Address] = Want{c.Action, c.Impact}
				if c.Reason == "" {
					t.Errorf("%s: change without a reason", c.Address)
				}
			}
			for addr, w := range ch.Want {
				if g, ok := got[addr]; !ok {
					t.Errorf("plan has no change for %s; want %s (%s)", addr, w.Action, w.Impact)
				} else if g != w {
					t.Errorf("%s: plan says %s (%s), want %s (%s)", addr, g.Action, g.Impact, w.Action, w.Impact)
				}
			}
			for addr, g := range got {
				if _, ok := ch.Want[addr]; !ok {
					t.Errorf("unexpected change %s: %s (%s)", addr, g.Action, g.Impact)
				}
			}
			planAndApply(t, s, ch.AllowDataLoss)
			if h.Check != nil {
				h.Check(t, ch.Name, s)
			}
			cleanPlan(t, spec, ch.Name)
		})
	}

	t.Run("destroy", func(t *testing.T) {
		s := open(t, spec)
		lock, err := s.Lock("destroy")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Plan(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			if c.Action != providers.ActionDelete {
				t.Errorf("destroy plan: %s %s", c.Address, c.Action)
			}
		}
		if err := s.Apply(context.Background(), lock, p, deploy.ApplyOptions{AllowDataLoss: true}); err != nil {
			t.Fatalf("destroy: %v", err)
		}
		lock.Release()
		if _, err := os.Stat(filepath.Join(stateDir, open(t, spec).Spec.Name+".state.json")); !os.IsNotExist(err) {
			t.Errorf("state file left after destroy (err=%v)", err)
		}
		if h.Gone != nil {
			h.Gone(t)
		}
	})

	t.Run("no secret in state or output", func(t *testing.T) {
		err := filepath.Walk(stateDir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || strings.Contains(path, string(filepath.Separator)+"secrets"+string(filepath.Separator)) {
				return err
			}
			if !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".backup") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(password)) {
				t.Errorf("%s holds the password in clear", path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(env.Progress.String(), password) {
			t.Error("progress output shows the password")
		}
	})
}

func checkNoSecret(t *testing.T, what string, p *plan.Plan) {
	t.Helper()
	for _, f := range []plan.Format{plan.FormatHuman, plan.FormatJSON, plan.FormatMarkdown} {
		var b bytes.Buffer
		if err := plan.Render(&b, p, f, false); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), password) {
			t.Errorf("%s (%s view) shows the password", what, f)
		}
	}
	dir := t.TempDir()
	if err := p.Save(filepath.Join(dir, "p")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "p"))
	if bytes.Contains(b, []byte(password)) {
		t.Errorf("saved %s holds the password", what)
	}
}

// Password is the password conformance specs use, for harness checks that
// connect to what the provider made.
func Password() string { return password }
