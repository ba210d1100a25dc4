package aws

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/aws/elasticachefake"
	"github.com/redisctl/redisctl/providers/providertest"
)

func TestDrift(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	s := spec("layout: single", "layout: ha\nreplicas: 1")
	h.MustApply(s, true)

	// Someone scales the group and changes the eviction policy in the console.
	h.f.Update("unit", func(g *elasticachefake.ReplicationGroup) { g.NodeType = "cache.m7g.large" })
	h.f.SetParameter("unit-redis7", "maxmemory-policy", "allkeys-lru")
	p := h.Plan(s)
	var msgs []string
	for _, d := range p.Drift {
		msgs = append(msgs, d.Address+": "+d.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, `aws_replication_group.main: node_type is "cache.m7g.large", state says "cache.t4g.micro"`) ||
		!strings.Contains(all, `aws_parameter_group.unit-redis7: maxmemory_policy is "allkeys-lru", state says "noeviction"`) {
		t.Errorf("drift:\n%s", all)
	}
	if c := providertest.Change(t, p, groupAddr); attr(c, attrNodeType) == nil || attr(c, attrNodeType).After != "cache.t4g.micro" {
		t.Errorf("plan does not scale back: %+v", c.Attrs)
	}
	h.MustApply(s, true)
	h.ExpectClean(s)

	// A group deleted outside redisctl is created again.
	deleteOutside(t, h.f, "unit")
	p = h.Plan(s)
	if c := providertest.Change(t, p, groupAddr); c.Action != providers.ActionCreate {
		t.Errorf("deleted group: %s", c.Action)
	}
	if len(p.Drift) != 1 || !strings.Contains(p.Drift[0].Message, "deleted outside redisctl") {
		t.Errorf("drift %v", p.Drift)
	}
	h.MustApply(s, true)
	h.ExpectClean(s)
	h.MustDestroy(s)
}

// deleteOutside deletes a group through the API, as another tool would.
func deleteOutside(t *testing.T, f *elasticachefake.Server, id string) {
	t.Helper()
	api, err := New().clientFor(context.Background(), "", time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.DeleteReplicationGroup(context.Background(), &elasticache.DeleteReplicationGroupInput{ReplicationGroupId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, ok := f.Group(id); !ok {
			return
		}
		_, _ = describeGroup(context.Background(), api, id)
	}
	t.Fatalf("group %s not deleted", id)
}

func TestDestroySnapshots(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  string
		snaps int
	}{
		{"final snapshot by default", spec(), 1},
		{"finalSnapshot: false skips it", spec("name: aws\n", "name: aws\n  finalSnapshot: false\n"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			t.Setenv("UNIT_PASSWORD", password1)
			h.MustApply(tc.spec, true)
			p, err := h.Run(context.Background(), tc.spec, true, false)
			if err != nil {
				t.Fatal(err)
			}
			c := providertest.Change(t, p, groupAddr)
			if c.Impact != providers.ImpactDataLoss || strings.Contains(c.Reason, "final snapshot") != (tc.snaps == 1) {
				t.Errorf("destroy change: %s, %s", c.Impact, c.Reason)
			}
			if pc := providertest.Change(t, p, "aws_parameter_group.unit-redis7"); len(pc.DependsOn) != 1 || pc.DependsOn[0] != groupAddr {
				t.Errorf("parameter group is deleted before the group: %v", pc.DependsOn)
			}
			snaps := h.f.Snapshots()
			if len(snaps) != tc.snaps {
				t.Errorf("%d snapshots, want %d", len(snaps), tc.snaps)
			}
			for _, sn := range snaps {
				if !strings.HasPrefix(sn.Name, "unit-final-") || sn.Status != "available" || h.f.Tags(sn.ARN)[tagDeployment] != "unit" {
					t.Errorf("final snapshot %+v tagged %v", sn, h.f.Tags(sn.ARN))
				}
			}
			if len(h.f.Groups()) != 0 || len(h.f.ParameterGroups()) != 0 {
				t.Errorf("left after destroy: %v %v", h.f.Groups(), h.f.ParameterGroups())
			}
		})
	}
}

// interrupt cancels ctx once cond holds (the user's Ctrl-C mid-wait).
func interrupt(cond func() bool) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if cond() {
				cancel()
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	return ctx, cancel
}

func TestInterruptedUpdateResumes(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	h.MustApply(spec(), true)

	// Killed while waiting for the new replicas: the re-run neither adds
	// them again nor skips turning failover on.
	ha := spec("layout: single", "layout: ha\nreplicas: 2")
	h.f.SetPolls(1000)
	ctx, cancel := interrupt(func() bool { return h.f.Count("IncreaseReplicaCount") == 1 })
	_, err := h.Run(ctx, ha, false, false)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	h.f.SetPolls(2)
	h.f.FinishIn("unit", 1)
	p := h.MustApply(ha, true)
	if c := providertest.Change(t, p, groupAddr); len(c.Calls) != 1 || !strings.Contains(c.Calls[0], "AutomaticFailoverEnabled=true") {
		t.Errorf("resumed plan calls %v", c.Calls)
	}
	if n := h.f.Count("IncreaseReplicaCount"); n != 1 {
		t.Errorf("IncreaseReplicaCount called %d times", n)
	}
	h.ExpectClean(ha)

	// Killed between ROTATE and SET: the re-run only SETs.
	t.Setenv("UNIT_PASSWORD", password2)
	h.f.SetPolls(1000)
	rotates := func() int {
		n := 0
		for _, r := range h.f.Requests() {
			if r.Code == "" && r.Params.Get("AuthTokenUpdateStrategy") == "ROTATE" {
				n++
			}
		}
		return n
	}
	ctx, cancel = interrupt(func() bool { return rotates() == 1 })
	_, err = h.Run(ctx, ha, false, false)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted rotation: %v", err)
	}
	h.f.SetPolls(2)
	h.f.FinishIn("unit", 1)
	if c := providertest.Change(t, h.Plan(ha), groupAddr); len(c.Calls) != 1 || !strings.Contains(c.Calls[0], "SET") {
		t.Errorf("resumed rotation calls %v", c.Calls)
	}
	if g, _ := h.f.Group("unit"); len(g.AuthTokens) != 2 {
		t.Fatalf("mid-rotation the group takes %d tokens, want both", len(g.AuthTokens))
	}
	h.MustApply(ha, true)
	if n := rotates(); n != 1 {
		t.Errorf("ROTATE sent %d times", n)
	}
	if g, _ := h.f.Group("unit"); len(g.AuthTokens) != 1 || g.AuthTokens[0] != password2 {
		t.Error("after the resumed rotation the group does not take exactly the new token")
	}
	h.ExpectClean(ha)

	// Killed while the group is being deleted: destroy again waits for
	// that deletion instead of starting another.
	h.f.SetPolls(1000)
	ctx, cancel = interrupt(func() bool { return h.f.Count("DeleteReplicationGroup") == 1 })
	_, err = h.Run(ctx, ha, true, true)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted destroy: %v", err)
	}
	h.f.SetPolls(2)
	h.f.FinishIn("unit", 2)
	h.MustDestroy(ha)
	if n := h.f.Count("DeleteReplicationGroup"); n != 1 {
		t.Errorf("DeleteReplicationGroup called %d times", n)
	}
	if sn := h.f.Snapshots(); len(sn) != 1 || sn[0].Status != "available" {
		t.Errorf("final snapshots %+v", sn)
	}
}

func TestRetriesThrottlingAndServerErrors(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	h.f.Inject(elasticachefake.Fault{Action: "CreateReplicationGroup", Code: "Throttling", Message: "Rate exceeded", Times: 3})
	h.f.Inject(elasticachefake.Fault{Action: "DescribeReplicationGroups", Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable, Times: 2})
	h.f.Inject(elasticachefake.Fault{Action: "CreateCacheParameterGroup", Code: "InternalFailure", Status: http.StatusInternalServerError, Times: 1})
	h.MustApply(spec(), true)
	failed := map[string]int{}
	for _, r := range h.f.Requests() {
		if r.Code != "" {
			failed[r.Code]++
		}
	}
	if failed["Throttling"] != 3 || failed["ServiceUnavailable"] != 2 || failed["InternalFailure"] != 1 {
		t.Errorf("faults answered: %v", failed)
	}
	if n := h.f.Count("CreateReplicationGroup"); n != 1 {
		t.Errorf("CreateReplicationGroup succeeded %d times", n)
	}
	h.ExpectClean(spec())
	h.MustDestroy(spec())
}

func TestClearErrors(t *testing.T) {
	t.Run("quota", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", password1)
		h.f.NodeQuota = 4
		_, err := h.Run(context.Background(), spec("layout: single", "layout: cluster\nshards: 3\nreplicas: 1"), false, false)
		if err == nil || !strings.Contains(err.Error(), "NodeQuotaForClusterExceeded") || !strings.Contains(err.Error(), "lower shards or replicas, or request an increase") {
			t.Errorf("quota error: %v", err)
		}
	})
	t.Run("validation fault", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", password1)
		h.f.Inject(elasticachefake.Fault{Action: "CreateReplicationGroup", Code: "InvalidParameterCombination", Message: "Cannot use cache.t4g.micro with Multi-AZ"})
		_, err := h.Run(context.Background(), spec(), false, false)
		if err == nil || !strings.Contains(err.Error(), "Cannot use cache.t4g.micro") || !strings.Contains(err.Error(), "change the spec fields it names") {
			t.Errorf("validation error: %v", err)
		}
	})
	t.Run("capacity", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", password1)
		h.f.Inject(elasticachefake.Fault{Action: "CreateReplicationGroup", Code: "InsufficientCacheClusterCapacity"})
		_, err := h.Run(context.Background(), spec(), false, false)
		if err == nil || !strings.Contains(err.Error(), "pick another provider.nodeType") {
			t.Errorf("capacity error: %v", err)
		}
	})
	t.Run("bad token is not echoed", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", "short@pw")
		_, err := h.Run(context.Background(), spec(), false, false)
		if err == nil || !strings.Contains(err.Error(), "AUTH token rules") || strings.Contains(err.Error(), "short@pw") {
			t.Errorf("token error: %v", err)
		}
		if n := h.f.Count("CreateReplicationGroup"); n != 0 {
			t.Errorf("CreateReplicationGroup sent with a bad token")
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", password1)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDWRONG")
		_, err := h.Run(context.Background(), spec(), false, false)
		if err == nil || !strings.Contains(err.Error(), "AWS refused the credentials") {
			t.Errorf("credentials error: %v", err)
		}
	})
	t.Run("someone else's group of the same ID", func(t *testing.T) {
		h := newHarness(t)
		t.Setenv("UNIT_PASSWORD", password1)
		h.MustApply(spec(), true)
		// A second deployment that would use the same ID.
		clash := spec("name: unit", "name: clash", "name: aws\n", "name: aws\n  replicationGroupId: unit\n  parameterGroupName: clash-params\n")
		_, err := h.Run(context.Background(), clash, false, false)
		if err == nil || !strings.Contains(err.Error(), "belongs to unit") {
			t.Errorf("clash: %v", err)
		}
		if n := h.f.Count("CreateReplicationGroup"); n != 1 {
			t.Errorf("CreateReplicationGroup succeeded %d times", n)
		}
	})
}

func TestInterruptedReplaceResumes(t *testing.T) {
	h := newHarness(t)
	t.Setenv("UNIT_PASSWORD", password1)
	h.MustApply(spec(), true)
	moved := spec("tls:", "network:\n  basePort: 6380\ntls:")

	// Killed while the old group is being deleted.
	h.f.SetPolls(1000)
	ctx, cancel := interrupt(func() bool { return h.f.Count("DeleteReplicationGroup") == 1 })
	if _, err := h.Run(ctx, moved, false, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted replace: %v", err)
	}
	cancel()
	h.f.SetPolls(2)
	h.f.FinishIn("unit", 1) // the refresh sees the deletion finish
	p := h.Plan(moved)
	if c := providertest.Change(t, p, groupAddr); c.Action != providers.ActionCreate || len(p.Drift) > 0 {
		t.Errorf("after a kill mid-deletion: %s, drift %v (its own deletion is no drift)", c.Action, p.Drift)
	}

	// Killed again while the new group is being created.
	h.f.SetPolls(1000)
	ctx, cancel = interrupt(func() bool { return h.f.Count("CreateReplicationGroup") == 2 })
	if _, err := h.Run(ctx, moved, false, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted create of the replacement: %v", err)
	}
	cancel()
	h.f.SetPolls(2)
	h.f.FinishIn("unit", 5) // still creating when the next plan looks
	p = h.Plan(moved)
	if c := providertest.Change(t, p, groupAddr); c.Action != providers.ActionUpdate || !only(c.Attrs, attrStatus) || len(p.Drift) > 0 {
		t.Errorf("after a kill mid-creation: %s %+v, drift %v", c.Action, c.Attrs, p.Drift)
	}
	h.MustApply(moved, true)
	h.ExpectClean(moved)
	if d, c := h.f.Count("DeleteReplicationGroup"), h.f.Count("CreateReplicationGroup"); d != 1 || c != 2 {
		t.Errorf("%d deletes and %d creates, want 1 and 2", d, c)
	}
	if g, _ := h.f.Group("unit"); g.Port != 6380 {
		t.Errorf("port %d", g.Port)
	}
	h.MustDestroy(moved)
}
