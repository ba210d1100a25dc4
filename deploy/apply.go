package deploy

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redisctl/redisctl/deploy/apply"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// PlanFile names a saved plan being applied (for messages).
	PlanFile string
	// AllowDataLoss permits changes with impact data-loss.
	AllowDataLoss bool
	// Parallelism bounds how many changes run at once (default 10).
	Parallelism int
	// StillEvery is how often a long change prints "still …" (default 10s).
	StillEvery time.Duration
}

// Apply performs a plan. The caller holds the state lock (Session.Lock).
// State is written after every step, so an interrupted apply leaves it
// consistent and running apply again continues the job.
func (s *Session) Apply(ctx context.Context, lock *state.Lock, p *plan.Plan, opts ApplyOptions) error {
	if lock == nil {
		panic("deploy: Apply without the state lock")
	}
	if err := p.CheckFresh(opts.PlanFile, s.State.Lineage, s.State.Serial); err != nil {
		return err
	}
	if s.State.Lineage == "" && p.Salt != "" {
		s.State.Salt = p.Salt
	}
	if dl := p.DataLoss(); len(dl) > 0 && !opts.AllowDataLoss && !p.Destroy {
		return fmt.Errorf("%w: %s; review the plan and re-run with --allow-data-loss if that is intended", ErrDataLoss, strings.Join(dl, ", "))
	}
	secrets, err := s.applySecrets(p.Destroy)
	if err != nil {
		return err
	}
	if s.planned {
		s.recordRefresh()
	}
	j := &journal{s: s}
	if err := j.save(); err != nil { // stamps lineage on first apply
		return err
	}
	par := opts.Parallelism
	if par <= 0 {
		par = 10
	}
	still := opts.StillEvery
	if still <= 0 {
		still = 10 * time.Second
	}
	err = apply.Walk(ctx, p.Changes, par, func(ctx context.Context, c providers.Change) error {
		if err := lock.Err(); err != nil {
			return err
		}
		return s.applyOne(ctx, j, secrets, c, still)
	})
	if err != nil {
		return err
	}
	if p.Destroy {
		if err := s.Store.Delete(s.Spec.Name); err != nil {
			return err
		}
		return s.resolver.Forget()
	}
	return nil
}

// recordRefresh writes what the plan's refresh found into state: resources
// whose interrupted creation turned out to have succeeded are adopted, and
// resources that no longer exist are dropped.
func (s *Session) recordRefresh() {
	found := map[string]providers.Resource{}
	for _, r := range s.refreshed {
		found[r.Address()] = r
	}
	var keep []state.Entry
	for _, e := range s.State.Resources {
		if r, ok := found[e.Address()]; ok {
			keep = append(keep, state.Entry{Resource: r})
		}
	}
	s.State.Resources = keep
}

// applySecrets resolves secrets for apply, generating any that are due, and
// records their references and fingerprints (never values) in state.
func (s *Session) applySecrets(destroy bool) (providers.Secrets, error) {
	if destroy {
		sec, _, err := s.secrets(false)
		if err != nil {
			return providers.Secrets{}, nil // a destroy must not need the password
		}
		return sec, nil
	}
	sec, fp, err := s.secrets(true)
	if err != nil {
		return providers.Secrets{}, err
	}
	if s.State.Secrets == nil {
		s.State.Secrets = map[string]state.SecretRecord{}
	}
	if ref := secret.Ref(s.Spec.Auth.Password); ref != "" {
		s.State.Secrets["password"] = state.SecretRecord{Ref: ref, Fingerprint: fp}
	} else {
		delete(s.State.Secrets, "password")
	}
	return sec, nil
}

// journal serialises state writes from parallel steps.
type journal struct {
	mu sync.Mutex
	s  *Session
}

func (j *journal) save() error { return j.s.Store.Save(j.s.State) }

func (j *journal) update(fn func(st *state.State)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(j.s.State)
	return j.save()
}

var verbs = map[providers.Action][3]string{
	providers.ActionCreate:  {"creating", "created", "creation"},
	providers.ActionUpdate:  {"updating", "updated", "update"},
	providers.ActionReplace: {"replacing", "replaced", "replacement"},
	providers.ActionDelete:  {"destroying", "destroyed", "destruction"},
}

func (s *Session) applyOne(ctx context.Context, j *journal, secrets providers.Secrets, c providers.Change, still time.Duration) error {
	v := verbs[c.Action]
	start := time.Now()
	s.progressf("%s: %s…\n", c.Address, v[0])

	// Journal the intent before touching anything.
	var prior map[string]string
	err := j.update(func(st *state.State) {
		e := st.Find(c.Address)
		entry := state.Entry{}
		if e != nil {
			entry = *e
			if e.Pending != nil {
				prior = e.Pending.Journal
			}
		} else {
			entry.Resource = providers.Resource{Type: c.After.Type, Name: c.After.Name}
		}
		entry.Pending = &state.Pending{Action: c.Action, Started: time.Now().UTC().Truncate(time.Second), Target: c.After, Journal: prior}
		st.Put(entry)
	})
	if err != nil {
		return err
	}

	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(still)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.progressf("%s: still %s… [%s elapsed]\n", c.Address, v[0], time.Since(start).Round(time.Second))
			}
		}
	}()

	resp, err := s.Provider.Apply(ctx, providers.ApplyRequest{
		Deployment: s.deployment(), Secrets: secrets, Change: c, Journal: prior,
		Record: func(key, value string) error {
			return j.update(func(st *state.State) {
				if e := st.Find(c.Address); e != nil && e.Pending != nil {
					if e.Pending.Journal == nil {
						e.Pending.Journal = map[string]string{}
					}
					e.Pending.Journal[key] = value
				}
			})
		},
		Progress: func(msg string) { s.progressf("%s: %s\n", c.Address, msg) },
	})
	if err != nil {
		s.progressf("%s: %s failed after %s\n", c.Address, v[2], time.Since(start).Round(time.Second))
		return err
	}
	err = j.update(func(st *state.State) {
		if resp == nil || resp.Resource == nil {
			st.Remove(c.Address)
			return
		}
		st.Put(state.Entry{Resource: *resp.Resource})
	})
	if err != nil {
		return err
	}
	s.progressf("%s: %s [%s]\n", c.Address, v[1], time.Since(start).Round(time.Second))
	return nil
}

func (s *Session) progressf(format string, args ...any) {
	s.progressMu.Lock()
	defer s.progressMu.Unlock()
	fmt.Fprintf(s.progress, format, args...)
}
