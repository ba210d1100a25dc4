package gcp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	redispb "cloud.google.com/go/redis/apiv1/redispb"

	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// killAfter cancels the returned context on the n-th GetOperation call, as
// if the CLI were killed while waiting for an operation.
func killAfter(e *env, n int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	polls := 0
	e.fake.OnCall(func(method string) {
		if method == "GetOperation" {
			if polls++; polls == n {
				cancel()
			}
		}
	})
	return ctx
}

// journal returns what the interrupted change of addr recorded in state.
func (e *env) journal(addr string) map[string]string {
	e.t.Helper()
	st, err := (&state.Store{Dir: e.StateDir}).Load("cache", Name)
	if err != nil {
		e.t.Fatal(err)
	}
	en := st.Find(addr)
	if en == nil || en.Pending == nil {
		e.t.Fatalf("%s has no pending change in state", addr)
	}
	return en.Pending.Journal
}

const addrCache = "gcp_redis_instance.cache"

func TestResumeAfterKillMidCreate(t *testing.T) {
	e := newEnv(t)
	e.fake.SetOpPolls(6)
	ctx := killAfter(e, 2)
	if _, err := e.Run(ctx, singleSpec, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	e.fake.OnCall(nil)
	if op := e.journal(addrCache)["op:create"]; !strings.Contains(op, "/operations/") {
		t.Fatalf("the create operation was not journaled: %v", e.journal(addrCache))
	}
	p := e.Plan(singleSpec)
	c := providertest.Change(t, p, addrCache)
	if c.Action != providers.ActionUpdate || c.Impact != providers.ImpactNone || !strings.Contains(c.Reason, "waits for the interrupted create") {
		t.Fatalf("re-plan: %s (%s): %s", c.Action, c.Impact, c.Reason)
	}
	e.MustApply(singleSpec, false)
	if n := e.fake.Calls("CreateInstance"); n != 1 {
		t.Errorf("CreateInstance called %d times", n)
	}
	if in := oneInstance(t, e.fake); in.Name != instanceName {
		t.Errorf("instance %s", in.Name)
	}
	e.ExpectClean(singleSpec)
}

func TestResumeAfterKillMidUpdate(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	bigger := strings.Replace(singleSpec, "memory: 1Gi", "memory: 2Gi", 1)
	e.fake.SetOpPolls(6)
	if _, err := e.Run(killAfter(e, 2), bigger, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	e.fake.OnCall(nil)
	if op := e.journal(addrCache)["op:update:memory"]; op == "" {
		t.Fatalf("update not journaled: %v", e.journal(addrCache))
	}
	c := providertest.Change(t, e.Plan(bigger), addrCache)
	if !strings.Contains(strings.Join(c.Calls, "\n"), "(the interrupted update)") {
		t.Errorf("re-plan does not wait for the interrupted update: %v", c.Calls)
	}
	e.MustApply(bigger, false)
	if n := e.fake.Calls("UpdateInstance"); n != 1 {
		t.Errorf("UpdateInstance called %d times, want 1 (resumed, not repeated)", n)
	}
	if in := oneInstance(t, e.fake); in.MemorySizeGb != 2 {
		t.Errorf("memory %d", in.MemorySizeGb)
	}
	e.ExpectClean(bigger)
}

func TestResumeAfterKillMidDestroy(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.SetOpPolls(6)
	// Poll 1-6 are the export; the kill lands while deleting.
	if _, err := e.Run(killAfter(e, 8), singleSpec, true, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted destroy: %v", err)
	}
	e.fake.OnCall(nil)
	if j := e.journal(addrCache); j["op:delete"] == "" || j["op:export"] == "" {
		t.Fatalf("journal %v", j)
	}
	e.MustDestroy(singleSpec)
	if n := e.fake.Calls("DeleteInstance"); n != 1 {
		t.Errorf("DeleteInstance called %d times", n)
	}
	if n := len(e.fake.Exports()); n != 1 {
		t.Errorf("%d final snapshots, want 1", n)
	}
	if n := len(e.fake.Instances()); n != 0 {
		t.Errorf("%d instances left", n)
	}
}

// TestResumeFromJournal is the saved-plan path: apply runs again without a
// refresh, with the journal of the interrupted attempt.
func TestResumeFromJournal(t *testing.T) {
	e := newEnv(t)
	e.fake.SetOpPolls(4)
	p := e.Plan(singleSpec)
	s := e.MustOpen(singleSpec)
	var opName string
	req := providers.ApplyRequest{
		Deployment: providers.Deployment{Spec: s.Spec, Nodes: s.Nodes, PollInterval: time.Millisecond, Fingerprint: func(v string) string { return "fp:" + v }},
		Change:     providertest.Change(t, p, addrCache),
		Record: func(k, v string) error {
			if k == "op:create" {
				opName = v
			}
			return nil
		},
	}
	prov := testProvider(e.fake)
	ctx := killAfter(e, 2)
	if _, err := prov.Apply(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v", err)
	}
	e.fake.OnCall(nil)
	req.Journal = map[string]string{"op:create": opName}
	resp, err := prov.Apply(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Resource == nil || resp.Resource.Attrs["state"] != stateReady || resp.Resource.ID != instanceName {
		t.Errorf("resource %+v", resp.Resource)
	}
	if n := e.fake.Calls("CreateInstance"); n != 1 {
		t.Errorf("CreateInstance called %d times", n)
	}
}

// TestExpiredOperation: the service forgets operations hours after they
// end; a resumed wait then goes by the instance's state.
func TestExpiredOperation(t *testing.T) {
	e := newEnv(t)
	e.fake.SetOpPolls(6)
	if _, err := e.Run(killAfter(e, 2), singleSpec, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	e.fake.OnCall(nil)
	e.fake.ForgetOperations()
	e.MustApply(singleSpec, false)
	oneInstance(t, e.fake)
	e.ExpectClean(singleSpec)
}

func TestFailedOperationIsReported(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNextOperation(memorystorefake.QuotaExceeded())
	_, err := e.Run(context.Background(), singleSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "CreateInstance failed (operation") || !strings.Contains(err.Error(), "quota") {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.fake.Instances()); n != 0 {
		t.Fatalf("%d instances after a failed create", n)
	}
	// The next apply starts again: the failed operation is reported as drift.
	p := e.Plan(singleSpec)
	if c := providertest.Change(t, p, addrCache); c.Action != providers.ActionCreate {
		t.Errorf("after a failed create: %s", c.Action)
	}
	if len(p.Drift) == 0 || !strings.Contains(p.Drift[0].Message, "failed") {
		t.Errorf("drift %v", p.Drift)
	}
	e.MustApply(singleSpec, false)
	if in := oneInstance(t, e.fake); in.State != redispb.Instance_READY {
		t.Error(in.State)
	}
}

// TestResumeInterruptedReplacement: killed while the new instance of a
// replacement is being created, the next apply finishes it; neither the
// deletion nor the new instance is mistaken for drift.
func TestResumeInterruptedReplacement(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	tls := strings.Replace(singleSpec, "memory: 1Gi", "memory: 1Gi\ntls:\n  enabled: true", 1)
	e.fake.SetOpPolls(4)
	// Polls 1-4 export, 5-8 delete, 10 lands in the create.
	if _, err := e.Run(killAfter(e, 10), tls, false, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted replacement: %v", err)
	}
	e.fake.OnCall(nil)
	if j := e.journal(addrCache); j["op:create"] == "" || j["op:delete"] == "" {
		t.Fatalf("journal %v", j)
	}
	p := e.Plan(tls)
	if len(p.Drift) > 0 {
		t.Errorf("the interrupted replacement shows as drift: %v", p.Drift)
	}
	e.MustApply(tls, true)
	in := oneInstance(t, e.fake)
	if in.TransitEncryptionMode != redispb.Instance_SERVER_AUTHENTICATION {
		t.Errorf("tls %v", in.TransitEncryptionMode)
	}
	if n := e.fake.Calls("CreateInstance"); n != 2 {
		t.Errorf("CreateInstance called %d times, want 2 (original and replacement)", n)
	}
	if n := len(e.fake.Exports()); n != 1 {
		t.Errorf("%d exports", n)
	}
	e.ExpectClean(tls)
}
