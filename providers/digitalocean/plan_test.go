package digitalocean

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/providers"
)

// planAgainst plans body against a cluster that matches testSpec except
// for the attributes in live.
func planAgainst(t *testing.T, body string, live map[string]string) *providers.PlanResponse {
	t.Helper()
	spec := parse(t, strings.TrimPrefix(body, specHead))
	d := providers.Deployment{Spec: spec, PollInterval: 10 * time.Second}
	want := desired(providers.Deployment{Spec: parse(t, strings.TrimPrefix(testSpec, specHead))})
	cur := want
	cur.ID = "c0ffee00-0000-4000-8000-000000000001"
	cur.Attrs = maps.Clone(want.Attrs)
	cur.Attrs[attrVPC] = "5a4c8b6e-0000-4000-8000-00000000d0c0"
	cur.Attrs[attrPassword] = "hmac-sha256:0123456789abcdef"
	maps.Copy(cur.Attrs, live)
	resp, err := New().Plan(context.Background(), providers.PlanRequest{Deployment: d, Current: []providers.Resource{cur}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestPlanClassifiesChanges(t *testing.T) {
	cases := []struct {
		name       string
		edit       [2]string // spec edit
		live       map[string]string
		action     providers.Action
		impact     providers.Impact
		reason     string
		firstCalls []string
	}{
		{name: "resize up", edit: [2]string{"memory: 2Gi", "memory: 8Gi"},
			action: providers.ActionUpdate, impact: providers.ImpactReconnect, reason: "update in place: size changed",
			firstCalls: []string{"Databases.Resize(size=db-s-4vcpu-8gb, num_nodes=1)", "Databases.Get every 10s until status online"}},
		{name: "resize down replaces", edit: [2]string{"memory: 2Gi", "memory: 1Gi"},
			action: providers.ActionReplace, impact: providers.ImpactDataLoss, reason: "forces replacement: size changed (DigitalOcean cannot resize a cluster to a smaller plan); the new cluster starts empty",
			firstCalls: []string{"Databases.Delete(c0ffee00-0000-4000-8000-000000000001)", "Databases.Get every 10s until it is gone (404)", "Databases.Create(name=cache, engine=valkey, version=8, size=db-s-1vcpu-1gb"}},
		{name: "standby added", edit: [2]string{"layout: single", "layout: ha\nreplicas: 1"},
			action: providers.ActionUpdate, impact: providers.ImpactOnline, reason: "num_nodes changed",
			firstCalls: []string{"Databases.Resize(size=db-s-1vcpu-2gb, num_nodes=2)"}},
		{name: "region migrates", edit: [2]string{"region: nyc3", "region: ams3"},
			action: providers.ActionUpdate, impact: providers.ImpactReconnect, reason: "region changed",
			firstCalls: []string{"Databases.Migrate(region=ams3, private_network_uuid=the region's default VPC)"}},
		{name: "vpc alone replaces", edit: [2]string{"region: nyc3", "region: nyc3\n  vpc: 11111111-2222-4333-8444-555555555555"},
			action: providers.ActionReplace, impact: providers.ImpactDataLoss, reason: "forces replacement: private_network changed"},
		{name: "vpc with region migrates", edit: [2]string{"region: nyc3", "region: ams3\n  vpc: 11111111-2222-4333-8444-555555555555"},
			action: providers.ActionUpdate, impact: providers.ImpactReconnect, reason: "private_network changed, region changed",
			firstCalls: []string{"Databases.Migrate(region=ams3, private_network_uuid=11111111-2222-4333-8444-555555555555)"}},
		{name: "engine replaces", live: map[string]string{attrEngine: "redis"},
			action: providers.ActionReplace, impact: providers.ImpactDataLoss, reason: "forces replacement: engine changed"},
		{name: "version upgrade", live: map[string]string{attrVersion: "7"},
			action: providers.ActionUpdate, impact: providers.ImpactReconnect, firstCalls: []string{"Databases.UpgradeMajorVersion(version=8)"}},
		{name: "version downgrade replaces", live: map[string]string{attrVersion: "9"},
			action: providers.ActionReplace, impact: providers.ImpactDataLoss, reason: "DigitalOcean cannot downgrade a cluster"},
		{name: "eviction", edit: [2]string{"allkeys-lru", "volatile-ttl"},
			action: providers.ActionUpdate, impact: providers.ImpactOnline, firstCalls: []string{"Databases.SetEvictionPolicy(volatile_ttl)"}},
		{name: "persistence", edit: [2]string{"evictionPolicy: allkeys-lru", "evictionPolicy: allkeys-lru\npersistence:\n  mode: rdb"},
			action: providers.ActionUpdate, impact: providers.ImpactOnline, firstCalls: []string{"Databases.UpdateValkeyConfig(valkey_persistence=rdb)"}},
		{name: "trusted sources", edit: [2]string{"[10.0.0.0/8, 192.168.1.7/32]", "[10.0.0.0/8]"},
			action: providers.ActionUpdate, impact: providers.ImpactOnline, firstCalls: []string{"Databases.UpdateFirewallRules(rules=[ip_addr:10.0.0.0/8])"}},
		{name: "labels are tags", edit: [2]string{"team: core", "team: edge"},
			action: providers.ActionUpdate, impact: providers.ImpactMetadata,
			firstCalls: []string{"Tags.Create(team:edge)", "Tags.TagResources(team:edge, database c0ffee00-0000-4000-8000-000000000001)", "Tags.UntagResources(team:core, database c0ffee00-0000-4000-8000-000000000001)"}},
		{name: "maintenance window", edit: [2]string{"region: nyc3", "region: nyc3\n  maintenanceWindow: {day: sunday, hour: \"04:30\"}"},
			action: providers.ActionUpdate, impact: providers.ImpactMetadata, firstCalls: []string{"Databases.UpdateMaintenance(day=sunday, hour=04:30)"}},
		{name: "endpoint", edit: [2]string{"region: nyc3", "region: nyc3\n  endpoint: private"},
			action: providers.ActionUpdate, impact: providers.ImpactNone},
		{name: "still creating", live: map[string]string{attrStatus: "creating"},
			action: providers.ActionUpdate, impact: providers.ImpactNone, firstCalls: []string{"Databases.Get every 10s until status online"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := testSpec
			if c.edit[0] != "" {
				body = strings.Replace(testSpec, c.edit[0], c.edit[1], 1)
				if body == testSpec {
					t.Fatal("edit changed nothing")
				}
			}
			resp := planAgainst(t, body, c.live)
			if len(resp.Changes) != 1 {
				t.Fatalf("%d changes: %+v", len(resp.Changes), resp.Changes)
			}
			ch := resp.Changes[0]
			if ch.Action != c.action || ch.Impact != c.impact {
				t.Errorf("%s (%s), want %s (%s); reason %q", ch.Action, ch.Impact, c.action, c.impact, ch.Reason)
			}
			if !strings.Contains(ch.Reason, c.reason) {
				t.Errorf("reason %q lacks %q", ch.Reason, c.reason)
			}
			for i, want := range c.firstCalls {
				if i >= len(ch.Calls) || !strings.HasPrefix(ch.Calls[i], want) {
					t.Errorf("calls %q; want call %d to start %q", ch.Calls, i, want)
					break
				}
			}
			if ch.MaintenanceWindow {
				t.Error("DigitalOcean applies these changes now, not in the maintenance window")
			}
		})
	}
}

func TestPlanNoChangeAndNotes(t *testing.T) {
	resp := planAgainst(t, testSpec, nil)
	if len(resp.Changes) != 0 {
		t.Errorf("changes against an identical cluster: %+v", resp.Changes)
	}
	notes := strings.Join(resp.Notes, "\n")
	for _, want := range []string{`single → num_nodes=1 (a primary only): DigitalOcean Valkey 8 cluster "cache" in nyc3`, "memory 2Gi → size db-s-1vcpu-2gb", "persistence none → valkey_persistence=off"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	ha := planAgainst(t, strings.Replace(testSpec, "layout: single", "layout: ha\nreplicas: 1", 1), nil)
	if !strings.Contains(strings.Join(ha.Notes, "\n"), "ha, replicas: 1 → num_nodes=2 (a primary and a standby DigitalOcean fails over to; no sentinels are deployed)") {
		t.Errorf("ha notes: %v", ha.Notes)
	}
	creating := planAgainst(t, testSpec, map[string]string{attrStatus: "resizing"})
	if len(creating.Warnings) != 1 || !strings.Contains(creating.Warnings[0], "is resizing: apply waits until it is online") {
		t.Errorf("warnings %v", creating.Warnings)
	}
}

func TestRuleTableCoversEveryDesiredAttribute(t *testing.T) {
	want := desired(providers.Deployment{Spec: parse(t, strings.TrimPrefix(testSpec, specHead)+"  vpc: 11111111-2222-4333-8444-555555555555\n  maintenanceWindow: {day: sunday, hour: \"04:30\"}\n")})
	for attr := range want.Attrs {
		ruleSet.Rule(typeCluster, attr) // panics on a gap
	}
	var names []string
	for _, r := range rules {
		names = append(names, r.Attribute)
	}
	for attr := range want.Attrs {
		if !slices.Contains(names, attr) {
			t.Errorf("no rule for %s", attr)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	rt := &retryTransport{wait: 100 * time.Millisecond, maxWait: 2 * time.Second}
	resp := func(status int, h map[string]string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	cases := []struct {
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{0, resp(500, nil), 100 * time.Millisecond},
		{2, resp(503, nil), 400 * time.Millisecond},
		{6, resp(503, nil), 2 * time.Second},
		{0, resp(429, map[string]string{"Retry-After": "1"}), time.Second},
		{0, resp(429, map[string]string{"Retry-After": "120"}), 2 * time.Second},
		{0, resp(429, map[string]string{"Ratelimit-Remaining": "0", "Ratelimit-Reset": "0"}), 100 * time.Millisecond},
		{0, nil, 100 * time.Millisecond},
	}
	for i, c := range cases {
		if got := rt.delay(c.attempt, c.resp); got != c.want {
			t.Errorf("case %d: delay %s, want %s", i, got, c.want)
		}
	}
	// A reset an hour away waits as long as allowed.
	r := resp(429, map[string]string{"Ratelimit-Remaining": "0", "Ratelimit-Reset": strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)})
	if got := rt.delay(0, r); got != 2*time.Second {
		t.Errorf("reset in an hour: %s", got)
	}
	post := func(path string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, "http://x"+path, nil)
		return req
	}
	if repeatable(post("/v2/databases")) || !repeatable(post("/v2/tags")) {
		t.Error("only creating a cluster is unsafe to repeat")
	}
}
