package gcp

import (
	"context"
	"fmt"
	"time"

	"github.com/googleapis/gax-go/v2"

	"github.com/redisctl/redisctl/providers"
)

// journalOp prefixes journal entries holding an operation name, keyed by
// the step that started it ("op:create", "op:update:memory", "op:delete").
const journalOp = "op:"

// Apply performs one change. Every long-running operation's name is
// journaled before it is waited for, so a run killed mid-wait resumes the
// same operation; steps already done are skipped by comparing with the
// resource as it is now.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	r, vr, err := resolve(req.Spec)
	if err != nil {
		return nil, err
	}
	if len(vr.Problems) > 0 {
		return nil, vr.Problems
	}
	c, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.close()
	a := &applier{p: p, c: c, r: r, req: req, journal: map[string]string{}}
	for k, v := range req.Journal {
		a.journal[k] = v
	}
	ch := req.Change
	var kind resourceKind = instanceKind{a}
	if (ch.After != nil && ch.After.Type == typeCluster) || (ch.Before != nil && ch.Before.Type == typeCluster) {
		kind = clusterKind{a}
	}
	if ch.Before != nil {
		if err := a.awaitPending(ctx, kind, *ch.Before); err != nil {
			return nil, err
		}
	}
	switch ch.Action {
	case providers.ActionCreate:
		name, err := kind.create(ctx, *ch.After)
		return a.finish(ctx, name, err)
	case providers.ActionUpdate:
		name, err := a.update(ctx, kind, *ch.Before, *ch.After)
		resp, err := a.finish(ctx, name, err)
		if err == nil && ch.Before.Private[privImported] != "" {
			resp.Resource.Private[privImported] = ch.Before.Private[privImported]
		}
		return resp, err
	case providers.ActionReplace:
		if err := kind.remove(ctx, *ch.Before); err != nil {
			return nil, err
		}
		name, err := kind.create(ctx, *ch.After)
		return a.finish(ctx, name, err)
	case providers.ActionDelete:
		if err := kind.remove(ctx, *ch.Before); err != nil {
			return nil, err
		}
		return &providers.ApplyResponse{}, nil
	}
	panic(fmt.Sprintf("gcp: impossible action %q", ch.Action))
}

// resourceKind is what differs between instances and clusters.
type resourceKind interface {
	name(r providers.Resource) string
	create(ctx context.Context, want providers.Resource) (string, error)
	start(ctx context.Context, s step, want providers.Resource) (poller, error)
	resume(kind, name string) poller
	remove(ctx context.Context, cur providers.Resource) error
	observe(ctx context.Context, name string) string
}

type applier struct {
	p       *Provider
	c       *clients
	r       *resolved
	req     providers.ApplyRequest
	journal map[string]string
}

func (a *applier) record(key, value string) error {
	a.journal[key] = value
	if a.req.Record == nil {
		return nil
	}
	return a.req.Record(key, value)
}

func (a *applier) progress(format string, args ...any) {
	if a.req.Progress != nil {
		a.req.Progress(fmt.Sprintf(format, args...))
	}
}

// finish reads the resource as it now is.
func (a *applier) finish(ctx context.Context, name string, err error) (*providers.ApplyResponse, error) {
	if err != nil {
		return nil, err
	}
	live, err := a.p.fetch(ctx, a.c, a.req.Deployment, name)
	if err != nil {
		return nil, explain("read "+name, err)
	}
	return &providers.ApplyResponse{Resource: live}, nil
}

// update runs the in-place steps the change needs, skipping those the
// resource already satisfies.
func (a *applier) update(ctx context.Context, kind resourceKind, before, after providers.Resource) (string, error) {
	name := kind.name(before)
	steps := instanceSteps(before.Attrs, after.Attrs)
	if after.Type == typeCluster {
		steps = clusterSteps(before.Attrs, after.Attrs)
	}
	for _, s := range steps {
		verb := "UpdateInstance(" + s.key + ")"
		if after.Type == typeCluster {
			verb = "UpdateCluster(" + s.key + ")"
		} else if s.key == "upgrade" {
			verb = "UpgradeInstance"
		}
		needed := func(ctx context.Context) (bool, error) {
			live, err := a.p.fetch(ctx, a.c, a.req.Deployment, name)
			if err != nil {
				return false, explain("read "+name, err)
			}
			return !s.satisfied(live.Attrs, after.Attrs), nil
		}
		start := func(ctx context.Context) (poller, error) { return kind.start(ctx, s, after) }
		if err := a.step(ctx, kind, s.key, verb, name, needed, start); err != nil {
			return "", err
		}
	}
	return name, nil
}

// step runs one operation once across interruptions: a journaled operation
// is resumed; otherwise, if needed says so, start begins one and its name is
// recorded before the wait.
func (a *applier) step(ctx context.Context, kind resourceKind, key, verb, target string,
	needed func(context.Context) (bool, error), start func(context.Context) (poller, error)) error {
	if opName := a.journal[journalOp+key]; opName != "" {
		return a.await(ctx, kind, verb, target, kind.resume(stepKind(key), opName))
	}
	if needed != nil {
		ok, err := needed(ctx)
		if err != nil || !ok {
			return err
		}
	}
	op, err := start(ctx)
	if err != nil {
		return err
	}
	if err := a.record(journalOp+key, op.name); err != nil {
		return err
	}
	return a.await(ctx, kind, verb, target, op)
}

func stepKind(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key[:i]
		}
	}
	return key
}

// poller is a long-running operation of any kind.
type poller struct {
	name string
	poll func(ctx context.Context) (done bool, err error)
}

type resultOp[T any] interface {
	Name() string
	Done() bool
	Poll(context.Context, ...gax.CallOption) (T, error)
}

type emptyOp interface {
	Name() string
	Done() bool
	Poll(context.Context, ...gax.CallOption) error
}

func pollerOf[T any](op resultOp[T], opts []gax.CallOption) poller {
	return poller{name: op.Name(), poll: func(ctx context.Context) (bool, error) {
		_, err := op.Poll(ctx, opts...)
		return op.Done(), err
	}}
}

func emptyPollerOf(op emptyOp, opts []gax.CallOption) poller {
	return poller{name: op.Name(), poll: func(ctx context.Context) (bool, error) {
		err := op.Poll(ctx, opts...)
		return op.Done(), err
	}}
}

// await polls an operation at the deployment's poll interval (op.Wait
// would sleep its own backoff), reporting the resource's state as it moves.
func (a *applier) await(ctx context.Context, kind resourceKind, verb, target string, op poller) error {
	start := time.Now()
	last := kind.observe(ctx, target)
	a.progress("%s: operation %s (%s)", verb, op.name, orUnknown(last))
	for {
		done, err := op.poll(ctx)
		if err != nil && !done {
			if isNotFound(err) {
				// The service forgets finished operations after a few hours:
				// the resource's state says whether it is done.
				return a.awaitState(ctx, kind, verb, target, start, last)
			}
			return explain(verb+": poll operation "+op.name, err)
		}
		now := kind.observe(ctx, target)
		if now != last {
			a.progress("%s: %s → %s [%s elapsed]", verb, orUnknown(last), orUnknown(now), time.Since(start).Round(time.Second))
			last = now
		}
		if done {
			if err != nil {
				return explain(fmt.Sprintf("%s failed (operation %s)", verb, op.name), err)
			}
			return nil
		}
		if err := a.req.PollWait(ctx); err != nil {
			return err
		}
	}
}

// awaitState polls the resource until it is ready or gone.
func (a *applier) awaitState(ctx context.Context, kind resourceKind, verb, target string, start time.Time, last string) error {
	for {
		now := kind.observe(ctx, target)
		if now != last {
			a.progress("%s: %s → %s [%s elapsed]", verb, orUnknown(last), orUnknown(now), time.Since(start).Round(time.Second))
			last = now
		}
		if now == stateReady || now == stateGone {
			return nil
		}
		if err := a.req.PollWait(ctx); err != nil {
			return err
		}
	}
}

// awaitPending waits for what an interrupted apply left running (kept in
// Private by Read), or for a resource that is not ready to become ready.
func (a *applier) awaitPending(ctx context.Context, kind resourceKind, before providers.Resource) error {
	target := kind.name(before)
	if op := before.Private[privOp]; op != "" {
		return a.await(ctx, kind, "resume "+before.Private[privOpKind], target, kind.resume(before.Private[privOpKind], op))
	}
	if st := before.Attrs["state"]; st != "" && st != stateReady {
		return a.awaitState(ctx, kind, "wait for "+st+" "+kindName(before.Type), target, time.Now(), kind.observe(ctx, target))
	}
	return nil
}

// deleteNeeded is a delete step's check: a resource already gone needs no
// delete, and one being deleted (by an earlier run) is waited for instead.
func (a *applier) deleteNeeded(kind resourceKind, verb, name string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		switch s := kind.observe(ctx, name); s {
		case stateGone:
			return false, nil
		case "deleting":
			return false, a.awaitState(ctx, kind, verb, name, time.Now(), s)
		}
		return true, nil
	}
}

// stateGone is what observe reports for a resource that does not exist.
const stateGone = "deleted"

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// stamp names final snapshots; journaled so a resumed run reuses it.
func (a *applier) stamp(key string) (string, error) {
	if v := a.journal[key]; v != "" {
		return v, nil
	}
	v := a.p.Now().UTC().Format("20060102-150405")
	return v, a.record(key, v)
}
