package digitalocean

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
)

func TestCreateThroughGodo(t *testing.T) {
	e := newTestEnv(t)
	p := e.MustApply(testSpec, false)
	if c := changeOf(t, p); c.Action != providers.ActionCreate || len(c.Calls) == 0 || !strings.HasPrefix(c.Calls[0], "Databases.Create(name=cache, engine=valkey") {
		t.Errorf("create change: %+v", c)
	}
	c := e.onlyCluster()
	if c.Name != "cache" || c.Engine != "valkey" || c.Version != "8" || c.Size != "db-s-1vcpu-2gb" || c.NumNodes != 1 || c.Region != "nyc3" || c.Status != "online" {
		t.Errorf("cluster: %+v", c)
	}
	if !slices.Contains(c.Tags, "redisctl-deployment:cache") || !slices.Contains(c.Tags, "team:core") {
		t.Errorf("tags %v", c.Tags)
	}
	var rules []string
	for _, r := range c.Rules {
		rules = append(rules, r.Type+":"+r.Value)
	}
	slices.Sort(rules)
	if want := []string{"ip_addr:10.0.0.0/8", "ip_addr:192.168.1.7"}; !slices.Equal(rules, want) {
		t.Errorf("trusted sources %v, want %v", rules, want)
	}
	if c.EvictionPolicy != "allkeys_lru" || c.Persistence != "off" {
		t.Errorf("eviction %q persistence %q", c.EvictionPolicy, c.Persistence)
	}
	st := e.MustOpen(testSpec).State
	entry := st.Find("digitalocean_database_cluster.main")
	if entry == nil || entry.ID != c.ID {
		t.Fatalf("state entry %+v, want ID %s", entry, c.ID)
	}
	if fp := entry.Attrs[attrPassword]; !strings.HasPrefix(fp, "hmac-sha256:") || strings.Contains(fp, c.Password) {
		t.Errorf("password attr %q is not a fingerprint", fp)
	}
	if len(entry.Endpoints) != 1 || entry.Endpoints[0].Port != 25061 || !strings.HasPrefix(entry.Endpoints[0].Host, "cache-") || entry.Endpoints[0].Role != "primary" {
		t.Errorf("endpoints %+v", entry.Endpoints)
	}
	if !strings.Contains(e.Progress.String(), "creating → online") {
		t.Errorf("progress does not show the wait:\n%s", e.Progress.String())
	}
	e.ExpectClean(testSpec)
	if n := e.fake.Count("POST /v2/databases"); n != 1 {
		t.Errorf("%d create requests", n)
	}
}

// A kill while waiting for the cluster to come online: the re-run finds the
// journaled cluster and waits for it instead of creating another.
func TestResumeAfterKillMidCreate(t *testing.T) {
	e := newTestEnv(t)
	e.fake.CreatePolls = 40
	ctx := e.CancelWhen("waiting for online")
	if _, err := e.Run(ctx, testSpec, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	if c := e.onlyCluster(); c.Status != "creating" {
		t.Fatalf("cluster is %s; the test wants it still creating", c.Status)
	}
	p := e.Plan(testSpec)
	c := changeOf(t, p)
	if c.Action != providers.ActionUpdate || !slices.Contains(c.Calls, "Databases.Get every 1ms until status online") || len(p.Drift) > 0 {
		t.Errorf("plan after the interruption: %s %v, drift %+v", c.Action, c.Calls, p.Drift)
	}
	e.MustApply(testSpec, false)
	if cl := e.onlyCluster(); cl.Status != "online" || cl.EvictionPolicy != "allkeys_lru" {
		t.Errorf("cluster after resuming: %+v", cl)
	}
	if n := e.fake.Count("POST /v2/databases"); n != 1 {
		t.Errorf("%d create requests: the re-run created again", n)
	}
	e.ExpectClean(testSpec)
}

func TestResumeAfterKillMidResize(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(testSpec, false)
	bigger := strings.Replace(testSpec, "memory: 2Gi", "memory: 4Gi", 1)
	e.fake.ResizePolls = 40
	ctx := e.CancelWhen("waiting for online")
	if _, err := e.Run(ctx, bigger, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	if c := e.onlyCluster(); c.Status != "resizing" {
		t.Fatalf("cluster is %s; the test wants it still resizing", c.Status)
	}
	p := e.Plan(bigger)
	if ch := changeOf(t, p); len(p.Drift) > 0 || ch.Action != providers.ActionUpdate || len(ch.Attrs) != 2 {
		t.Errorf("plan after the interruption: drift %+v, change %s %+v", p.Drift, ch.Action, ch.Attrs)
	}
	e.MustApply(bigger, false)
	c := e.onlyCluster()
	if c.Size != "db-s-2vcpu-4gb" || c.Status != "online" {
		t.Errorf("cluster after resuming: %s %s", c.Size, c.Status)
	}
	if n := e.fake.Count("PUT /v2/databases/" + c.ID + "/resize"); n != 1 {
		t.Errorf("%d resize requests: the re-run resized again", n)
	}
	e.ExpectClean(bigger)
}

// A create answered with a server error after DigitalOcean made the cluster
// is adopted by name, not sent again.
func TestCreateAdoptsClusterAfterServerError(t *testing.T) {
	e := newTestEnv(t)
	e.fake.FailAfterCommit("POST", "/v2/databases", 500, 1)
	e.MustApply(testSpec, false)
	e.onlyCluster()
	if n := e.fake.Count("POST /v2/databases"); n != 1 {
		t.Errorf("%d create requests", n)
	}
	e.ExpectClean(testSpec)
}

func TestCreateRetriedAfterServerErrorWithoutCluster(t *testing.T) {
	e := newTestEnv(t)
	e.fake.Fail("POST", "/v2/databases", 503, 2, "Service Unavailable")
	e.MustApply(testSpec, false)
	e.onlyCluster()
	if n := e.fake.Count("POST /v2/databases"); n != 3 {
		t.Errorf("%d create requests, want 3 (two failed)", n)
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	e := newTestEnv(t)
	e.fake.Throttle(3, "")
	e.MustApply(testSpec, false)
	reqs := e.fake.Requests()
	if len(reqs) < 4 || reqs[0] != reqs[1] || reqs[1] != reqs[2] || reqs[2] != reqs[3] {
		t.Errorf("the throttled request was not repeated: %v", reqs[:min(4, len(reqs))])
	}
	e.fake.Throttle(1, "0")
	e.fake.Fail("GET", "", 502, 2, "Bad Gateway")
	e.fake.Fail("PUT", "/eviction_policy", 500, 1, "Server Error")
	e.MustApply(strings.Replace(testSpec, "allkeys-lru", "volatile-ttl", 1), false)
	if c := e.onlyCluster(); c.EvictionPolicy != "volatile_ttl" {
		t.Errorf("eviction policy %s", c.EvictionPolicy)
	}
}

func TestThrottlingGivesUpWithAClearError(t *testing.T) {
	e := newTestEnv(t)
	e.fake.Throttle(100, "")
	_, err := e.Run(context.Background(), testSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "still rate limited by DigitalOcean after retrying (429 API Rate limit exceeded.") {
		t.Fatalf("err = %v", err)
	}
	if len(e.fake.Clusters()) != 0 {
		t.Error("a cluster was created")
	}
}

func TestQuotaAndValidationFaults(t *testing.T) {
	e := newTestEnv(t)
	e.fake.AddCluster(dofake.Cluster{Name: "other", Engine: "valkey", Version: "8", Size: "db-s-1vcpu-1gb", Region: "nyc1", NumNodes: 1})
	e.fake.ClusterLimit = 1
	_, err := e.Run(context.Background(), testSpec, false, false)
	if err == nil {
		t.Fatal("apply over the cluster limit succeeded")
	}
	for _, want := range []string{"create cluster cache", "DigitalOcean refused the request (422", "database cluster limit of 1", "(request req-", "account's database cluster limit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	e.fake.ClusterLimit = 0
	e.fake.Fail("POST", "/v2/databases", 422, 1, "region nyc3 is not available for valkey")
	if _, err := e.Run(context.Background(), testSpec, false, false); err == nil || !strings.Contains(err.Error(), "region nyc3 is not available for valkey") {
		t.Errorf("err = %v", err)
	}
}

func TestCredentials(t *testing.T) {
	e := newTestEnv(t)
	e.prov = &Provider{Getenv: func(string) string { return "" }}
	if p := e.Plan(testSpec); changeOf(t, p).Action != providers.ActionCreate {
		t.Error("a plan from empty state should need no token")
	}
	_, err := e.Run(context.Background(), testSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)") {
		t.Fatalf("err = %v", err)
	}
	e.prov = testProvider(e.fake.URL(), "dop_v1_wrong")
	if _, err := e.Run(context.Background(), testSpec, false, false); err == nil || !strings.Contains(err.Error(), "rejected the API token (401 Unable to authenticate you") {
		t.Fatalf("err = %v", err)
	}
	env := map[string]string{EnvAccessToken: dofake.Token, EnvEndpoint: e.fake.URL()}
	e.prov = &Provider{Getenv: func(k string) string { return env[k] }}
	e.MustApply(testSpec, false)
	e.onlyCluster()
}

func TestDriftIsShownAndReverted(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(testSpec, false)
	c := e.onlyCluster()
	rotated := "AVNS_rotated_outside_redisctl"
	e.fake.Mutate(c.ID, func(c *dofake.Cluster) {
		c.EvictionPolicy = "noeviction"
		c.Rules = nil
		c.Tags = slices.DeleteFunc(c.Tags, func(t string) bool { return t == "team:core" })
		c.Password = rotated
	})
	p := e.Plan(testSpec)
	var drift []string
	for _, d := range p.Drift {
		drift = append(drift, d.Message)
	}
	all := strings.Join(drift, "\n")
	for _, want := range []string{`eviction_policy is "noeviction", state says "allkeys-lru"`, "trusted_sources is \"\"", "tags is", "the password was reset outside redisctl"} {
		if !strings.Contains(all, want) {
			t.Errorf("drift lacks %q:\n%s", want, all)
		}
	}
	ch := changeOf(t, p)
	if ch.Action != providers.ActionUpdate || ch.Impact != providers.ImpactOnline {
		t.Errorf("change back: %s %s", ch.Action, ch.Impact)
	}
	checkRendersHide(t, p, rotated, c.Password)
	e.MustApply(testSpec, false)
	c = e.onlyCluster()
	if c.EvictionPolicy != "allkeys_lru" || len(c.Rules) != 2 || !slices.Contains(c.Tags, "team:core") {
		t.Errorf("not reverted: %+v", c)
	}
	e.ExpectClean(testSpec)
}

func TestClusterDeletedOutsideIsCreatedAgain(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(testSpec, false)
	e.fake.Remove(e.onlyCluster().ID)
	p := e.Plan(testSpec)
	if len(p.Drift) != 1 || !strings.Contains(p.Drift[0].Message, "no longer exists (deleted outside redisctl)") {
		t.Errorf("drift %+v", p.Drift)
	}
	if c := changeOf(t, p); c.Action != providers.ActionCreate {
		t.Errorf("change %s", c.Action)
	}
}

func TestForeignClusterWithTheNameIsNotAdopted(t *testing.T) {
	e := newTestEnv(t)
	e.fake.AddCluster(dofake.Cluster{Name: "cache", Engine: "valkey", Version: "8", Size: "db-s-1vcpu-2gb", Region: "nyc3", NumNodes: 1, Tags: []string{"someone-else"}})
	_, err := e.Run(context.Background(), testSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), `named "cache"`) || !strings.Contains(err.Error(), "is not tagged redisctl-deployment:cache") {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.fake.Clusters()); n != 1 || e.fake.Count("POST /v2/databases") != 0 {
		t.Errorf("%d clusters after refusing", n)
	}
}

func TestVersionUpgradeInPlace(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(testSpec, false)
	c := e.onlyCluster()
	e.fake.Mutate(c.ID, func(c *dofake.Cluster) { c.Version = "7" })
	ch := changeOf(t, e.Plan(testSpec))
	if ch.Action != providers.ActionUpdate || ch.Impact != providers.ImpactReconnect || !slices.Contains(ch.Calls, "Databases.UpgradeMajorVersion(version=8)") {
		t.Errorf("upgrade change: %s %s %v", ch.Action, ch.Impact, ch.Calls)
	}
	e.MustApply(testSpec, false)
	if got := e.onlyCluster(); got.Version != "8" || got.ID != c.ID {
		t.Errorf("after upgrade: %+v", got)
	}
	if n := e.fake.Count("PUT /v2/databases/" + c.ID + "/upgrade"); n != 1 {
		t.Errorf("%d upgrade requests", n)
	}
}

func TestDestroyDeletesTheCluster(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(testSpec, false)
	id := e.onlyCluster().ID
	p, err := e.Run(context.Background(), testSpec, true, false)
	if err != nil {
		t.Fatal(err)
	}
	c := changeOf(t, p)
	if c.Action != providers.ActionDelete || c.Impact != providers.ImpactDataLoss || !strings.Contains(c.Reason, "no final snapshot") {
		t.Errorf("destroy change: %s %s %q", c.Action, c.Impact, c.Reason)
	}
	if len(e.fake.Clusters()) != 0 || e.fake.Count("DELETE /v2/databases/"+id) != 1 {
		t.Errorf("clusters left %d", len(e.fake.Clusters()))
	}
	if _, err := os.Stat(filepath.Join(e.StateDir, "cache.state.json")); !os.IsNotExist(err) {
		t.Errorf("state left after destroy: %v", err)
	}
}

// The password DigitalOcean generates must not reach state, plans or
// progress, through create, a password reset outside, and destroy.
func TestPasswordNeverWrittenInClear(t *testing.T) {
	e := newTestEnv(t)
	p1 := e.MustApply(testSpec, false)
	c := e.onlyCluster()
	e.fake.Mutate(c.ID, func(c *dofake.Cluster) { c.Password = "AVNS_second_password_xyz" })
	p2 := e.MustApply(strings.Replace(testSpec, "allkeys-lru", "volatile-lru", 1), false)
	secrets := []string{c.Password, "AVNS_second_password_xyz"}
	for _, p := range []*plan.Plan{p1, p2} {
		checkRendersHide(t, p, secrets...)
	}
	filepath.Walk(e.StateDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a password in clear", path)
			}
		}
		return nil
	})
	p3, err := e.Run(context.Background(), testSpec, true, false)
	if err != nil {
		t.Fatal(err)
	}
	checkRendersHide(t, p3, secrets...)
	for _, s := range secrets {
		if strings.Contains(e.Progress.String(), s) {
			t.Error("progress shows a password")
		}
	}
}

func checkRendersHide(t *testing.T, p *plan.Plan, secrets ...string) {
	t.Helper()
	for _, f := range []plan.Format{plan.FormatHuman, plan.FormatJSON, plan.FormatMarkdown} {
		var b bytes.Buffer
		if err := plan.Render(&b, p, f, false); err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(b.String(), s) {
				t.Errorf("plan (%s) shows a password", f)
			}
		}
	}
}

func TestStatusAndConnectionPassword(t *testing.T) {
	e := newTestEnv(t)
	ha := strings.Replace(testSpec, "layout: single", "layout: ha\nreplicas: 1", 1)
	e.MustApply(ha, false)
	s := e.MustOpen(ha)
	st, err := s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 2 || !st.Nodes[0].Up || st.Nodes[1].Role != "standby" || st.Nodes[0].MaxMemory != 2*gib || !strings.HasSuffix(st.Nodes[1].Address, ":25061") {
		t.Errorf("status %+v", st.Nodes)
	}
	pw, err := e.prov.ConnectionPassword(context.Background(), providers.StatusRequest{Deployment: providers.Deployment{Spec: s.Spec}, Resources: s.State.Settled()})
	if err != nil || pw != e.onlyCluster().Password {
		t.Errorf("ConnectionPassword = %q, %v", pw, err)
	}
}

// A replacement interrupted while its new cluster is being created resumes
// with that cluster: the old one is not looked for and no third is made.
func TestResumeAfterKillMidReplace(t *testing.T) {
	e := newTestEnv(t)
	e.MustApply(strings.Replace(testSpec, "memory: 2Gi", "memory: 4Gi", 1), false)
	old := e.onlyCluster().ID
	e.fake.CreatePolls = 40
	ctx := e.CancelWhen("waiting for online")
	if _, err := e.Run(ctx, testSpec, false, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	c := e.onlyCluster()
	if c.ID == old || c.Status != "creating" {
		t.Fatalf("after the interruption: %s %s (old %s)", c.ID, c.Status, old)
	}
	p := e.Plan(testSpec)
	if ch := changeOf(t, p); len(p.Drift) > 0 || ch.Action != providers.ActionUpdate || ch.Before.ID != c.ID {
		t.Errorf("plan after the interruption: drift %+v, change %s on %s", p.Drift, ch.Action, ch.Before.ID)
	}
	e.MustApply(testSpec, false)
	if got := e.onlyCluster(); got.ID != c.ID || got.Size != "db-s-1vcpu-2gb" {
		t.Errorf("after resuming: %+v", got)
	}
	if n := e.fake.Count("POST /v2/databases"); n != 2 {
		t.Errorf("%d create requests, want 2 (the first cluster and its replacement)", n)
	}
	e.ExpectClean(testSpec)
}
