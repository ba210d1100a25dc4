// Package deploy runs redisctl's flow for one deployment: load the spec, ask
// the provider to refresh what exists, plan the changes, and apply them under
// the state lock with every step journaled, so an interrupted run can be
// continued by running it again.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// PollIntervalEnv sets how often providers poll long-running operations.
const PollIntervalEnv = "REDISCTL_POLL_INTERVAL"

// Options configure a session.
type Options struct {
	Registry *providers.Registry
	// StateDir is the resolved state directory.
	StateDir string
	// Progress receives progress lines (stderr).
	Progress io.Writer
}

// Session is one deployment opened for planning or applying.
type Session struct {
	Spec      *topology.Spec
	SpecFile  string
	SpecBytes []byte
	Nodes     *topology.NodePlan
	Provider  providers.Provider
	Store     *state.Store
	State     *state.State
	// Warnings from validation, shown with every plan.
	Warnings []string

	pollInterval time.Duration
	// refreshed is what the last Plan found, recorded by Apply.
	refreshed  []providers.Resource
	planned    bool
	resolver   *secret.Resolver
	progress   io.Writer
	progressMu sync.Mutex
}

// Open loads and validates a spec file and the deployment's state.
func Open(ctx context.Context, specFile string, opts Options) (*Session, error) {
	data, err := os.ReadFile(specFile)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return OpenBytes(ctx, specFile, data, opts)
}

// OpenBytes is Open for a spec already read (a saved plan's copy).
func OpenBytes(ctx context.Context, specFile string, data []byte, opts Options) (*Session, error) {
	spec, err := topology.Parse(specFile, data)
	if err != nil {
		return nil, err
	}
	prov, err := opts.Registry.Get(spec.Provider.Name)
	if err != nil {
		return nil, fmt.Errorf("%s: provider: %w", specFile, err)
	}
	vr, err := prov.Validate(ctx, providers.ValidateRequest{Spec: spec})
	if err != nil {
		return nil, fmt.Errorf("validate spec for provider %s: %w", spec.Provider.Name, err)
	}
	if len(vr.Problems) > 0 {
		return nil, vr.Problems
	}
	nodes, err := topology.PlanNodes(spec)
	if err != nil {
		return nil, err
	}
	store := &state.Store{Dir: opts.StateDir}
	st, err := store.Load(spec.Name, spec.Provider.Name)
	if err != nil {
		return nil, err
	}
	if st.Salt == "" {
		st.Salt = secret.NewSalt()
	}
	poll := providers.DefaultPollInterval
	if v := os.Getenv(PollIntervalEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s=%q: want a duration such as 5s or 200ms", PollIntervalEnv, v)
		}
		poll = d
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	return &Session{
		Spec: spec, SpecFile: specFile, SpecBytes: data, Nodes: nodes, Provider: prov,
		Store: store, State: st, Warnings: vr.Warnings, progress: progress, pollInterval: poll,
		resolver: &secret.Resolver{
			BaseDir:      filepath.Dir(specFile),
			GeneratedDir: filepath.Join(opts.StateDir, "secrets", spec.Name),
		},
	}, nil
}

func (s *Session) deployment() providers.Deployment {
	salt := s.State.Salt
	return providers.Deployment{
		Spec: s.Spec, Nodes: s.Nodes, StateDir: s.Store.Dir,
		Fingerprint:  func(v string) string { return secret.Fingerprint(salt, v) },
		PollInterval: s.pollInterval,
	}
}

// secrets resolves the spec's secrets. With generate set, missing generated
// secrets are created (apply); otherwise they are reported as not known yet.
func (s *Session) secrets(generate bool) (providers.Secrets, string, error) {
	ref := s.Spec.Auth.Password
	var v string
	var ok bool
	var err error
	if generate {
		v, err = s.resolver.Ensure(ref, "password")
		ok = err == nil
	} else {
		v, ok, err = s.resolver.Resolve(ref, "password")
	}
	if err != nil {
		return providers.Secrets{}, "", fmt.Errorf("auth.password: %w", err)
	}
	if !ok {
		return providers.Secrets{}, secret.NotYetGenerated, nil
	}
	return providers.Secrets{Password: v}, secret.Fingerprint(s.State.Salt, v), nil
}

// refresh asks the provider for the real state of every resource in state.
func (s *Session) refresh(ctx context.Context, secrets providers.Secrets) ([]providers.Resource, []providers.Drift, error) {
	if s.State.Empty() {
		return nil, nil, nil
	}
	req := providers.ReadRequest{Deployment: s.deployment(), Secrets: secrets, Journals: map[string]map[string]string{}}
	for _, e := range s.State.Resources {
		r := e.Resource
		if e.Pending != nil {
			if e.Pending.Action == providers.ActionCreate && e.ID == "" && e.Pending.Target != nil {
				r = *e.Pending.Target
				r.ID = ""
			}
			req.Journals[r.Address()] = e.Pending.Journal
		}
		req.Resources = append(req.Resources, r)
	}
	resp, err := s.Provider.Read(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("refresh: %w", err)
	}
	return resp.Resources, resp.Drift, nil
}

// Plan refreshes what exists and computes the changes to the spec (or, with
// destroy, to nothing).
func (s *Session) Plan(ctx context.Context, destroy bool) (*plan.Plan, error) {
	secrets, fp, err := s.secrets(false)
	if err != nil && !destroy {
		return nil, err
	}
	current, drift, err := s.refresh(ctx, secrets)
	if err != nil {
		return nil, err
	}
	s.refreshed, s.planned = current, true
	resp, err := s.Provider.Plan(ctx, providers.PlanRequest{
		Deployment: s.deployment(), Destroy: destroy, Current: current, PasswordFingerprint: fp,
	})
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	changes := resp.Changes
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Address < changes[j].Address })
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Deployment:    s.Spec.Name,
		Provider:      s.Spec.Provider.Name,
		Lineage:       s.State.Lineage,
		Serial:        s.State.Serial,
		Salt:          s.State.Salt,
		Destroy:       destroy,
		Changes:       changes,
		Drift:         drift,
		Warnings:      append(append([]string{}, s.Warnings...), resp.Warnings...),
		Notes:         resp.Notes,
		SpecFile:      s.SpecFile,
		Spec:          string(s.SpecBytes),
		CreatedAt:     time.Now().UTC().Truncate(time.Second),
	}, nil
}

// Lock takes the deployment's state lock for an operation.
func (s *Session) Lock(operation string) (*state.Lock, error) {
	return s.Store.Lock(s.Spec.Name, operation, state.DefaultLease)
}

// ErrDataLoss is returned when a plan loses data and apply was not allowed to.
var ErrDataLoss = errors.New("the plan loses data")

// Forget removes the state and generated secrets of a deployment that has
// no resources left.
func (s *Session) Forget() error {
	if !s.State.Empty() {
		return fmt.Errorf("deployment %q still has %d resources in state", s.Spec.Name, len(s.State.Resources))
	}
	if err := s.Store.Delete(s.Spec.Name); err != nil {
		return err
	}
	return s.resolver.Forget()
}
