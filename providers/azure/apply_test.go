package azure

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/azure/armfake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// A create interrupted while Azure is still creating the cluster resumes
// the same operation: the plan does not create it again and apply polls the
// journaled operation instead of sending a second PUT.
func TestResumeAfterKillMidCreate(t *testing.T) {
	e := newEnv(t)
	e.srv.SetPolls(1 << 20)
	ctx := e.CancelWhen("create cluster orders: accepted by Azure")
	if _, err := e.Run(ctx, testSpec, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	s := e.MustOpen(testSpec)
	if en := s.State.Find(addrCluster); en == nil || en.Pending == nil || en.Pending.Journal[jCreate] == "" {
		t.Fatalf("the operation was not journaled before waiting: %+v", en)
	}
	if c := e.srv.Cluster(testSub, testRG, "orders"); c == nil || c.ProvisioningState != "Creating" {
		t.Fatalf("cluster after the interruption: %+v", c)
	}

	p := e.Plan(testSpec)
	if ch := providertest.Change(t, p, addrCluster); ch.Action != providers.ActionUpdate || ch.Impact != providers.ImpactNone || !strings.Contains(ch.Reason, "still Creating") {
		t.Fatalf("plan after the interruption: %+v", ch)
	}
	if len(p.Drift) > 0 {
		t.Errorf("our own unfinished create reported as drift: %+v", p.Drift)
	}
	e.srv.FinishOperations()
	e.srv.SetPolls(2)
	e.MustApply(testSpec, true)
	if n := e.srv.Count(http.MethodPut, "/redisEnterprise/orders"); n != 1 {
		t.Errorf("cluster PUT %d times, want 1", n)
	}
	if e.srv.ClusterCount() != 1 {
		t.Errorf("%d clusters", e.srv.ClusterCount())
	}
	if !strings.Contains(e.Progress.String(), "resuming the wait") {
		t.Errorf("no resume in progress:\n%s", e.Progress.String())
	}
	if p := e.Plan(testSpec); !p.Empty() {
		t.Errorf("plan after the resumed apply: %+v", p.Changes)
	}
}

// An update interrupted mid-wait is resumed, not sent again.
func TestResumeAfterKillMidUpdate(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	bigger := strings.Replace(testSpec, "memory: 1Gi", "memory: 6Gi", 1)
	e.srv.SetPolls(1 << 20)
	ctx := e.CancelWhen("update cluster orders: accepted by Azure")
	if _, err := e.Run(ctx, bigger, false, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted apply: %v", err)
	}
	p := e.Plan(bigger)
	ch := providertest.Change(t, p, addrCluster)
	if ch.Action != providers.ActionUpdate || ch.Before.Private[privResumeFor] != jUpdate {
		t.Fatalf("plan after the interruption: %+v", ch)
	}
	e.srv.FinishOperations()
	e.srv.SetPolls(1)
	e.MustApply(bigger, true)
	if n := e.srv.Count(http.MethodPatch, "/redisEnterprise/orders"); n != 1 {
		t.Errorf("cluster PATCH %d times, want 1", n)
	}
	if c := e.srv.Cluster(testSub, testRG, "orders"); c.SKU != "Balanced_B5" {
		t.Errorf("SKU %s, want Balanced_B5", c.SKU)
	}
	if p := e.Plan(bigger); !p.Empty() {
		t.Errorf("plan after the resumed update: %+v", p.Changes)
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(armfake.Fault{Method: http.MethodPut, PathContains: "/redisEnterprise/orders", Status: http.StatusTooManyRequests,
		Code: "TooManyRequests", Message: "throttled", RetryAfter: 5 * time.Millisecond, Times: 2})
	e.srv.Inject(armfake.Fault{Method: http.MethodPut, PathContains: "/databases/default", Status: http.StatusInternalServerError,
		Code: "InternalServerError", Message: "try again", Times: 1})
	e.MustApply(testSpec, true)
	if n := e.srv.Count(http.MethodPut, "/redisEnterprise/orders"); n != 3 {
		t.Errorf("cluster PUT %d times, want 3 (two throttled)", n)
	}
	if n := e.srv.Count(http.MethodPut, "/databases/default"); n != 2 {
		t.Errorf("database PUT %d times, want 2 (one 500)", n)
	}
	if e.srv.ClusterCount() != 1 {
		t.Errorf("%d clusters", e.srv.ClusterCount())
	}
}

func TestErrorsSayWhatToChange(t *testing.T) {
	cases := []struct {
		name  string
		setup func(*armfake.Server)
		want  []string
	}{
		{"quota", func(s *armfake.Server) {
			s.Inject(armfake.Fault{Method: http.MethodPut, PathContains: "/redisEnterprise/", Status: http.StatusConflict, Code: "QuotaExceeded",
				Message: "Operation results in exceeding quota limits for Microsoft.Cache/redisEnterprise in westeurope."})
		}, []string{"quota exceeded", "exceeding quota limits", "provider.location"}},
		{"resource group", func(s *armfake.Server) { s.RemoveResourceGroup(testRG) },
			[]string{"Resource group 'rg-redis' could not be found", "az group create", "provider.resourceGroup"}},
		{"validation", func(s *armfake.Server) {
			s.Inject(armfake.Fault{Method: http.MethodPut, PathContains: "/redisEnterprise/", Status: http.StatusBadRequest, Code: "InvalidParameter",
				Message: "The SKU Balanced_B1 is not available in westeurope."})
		}, []string{"Azure rejected the request", "InvalidParameter", "not available in westeurope"}},
		{"failed operation", func(s *armfake.Server) {
			s.FailNextOperation("ResourceOperationFailure", "The resource operation completed with terminal provisioning state 'Failed'.")
		}, []string{"create cluster orders", "ResourceOperationFailure", "terminal provisioning state"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			c.setup(e.srv)
			_, err := e.Run(context.Background(), testSpec, false, false)
			if err == nil {
				t.Fatal("apply succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestNoCredentialsSaysWhatToSet(t *testing.T) {
	e := newEnv(t)
	t.Setenv(TestCredentialEnv, "")
	for _, k := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "dev") // skip the managed identity probe
	t.Setenv("PATH", t.TempDir())              // no az, azd or pwsh
	_, err := e.Run(context.Background(), testSpec, false, false)
	if err == nil {
		t.Fatal("apply succeeded without credentials")
	}
	for _, w := range []string{"no usable Azure credentials", "az login", "AZURE_CLIENT_ID"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Azure without a token", n)
	}
}

// The test credential is refused against the real endpoint.
func TestTestCredentialNeedsAFakeEndpoint(t *testing.T) {
	p := New()
	p.Getenv = func(k string) string {
		if k == TestCredentialEnv {
			return "1"
		}
		return ""
	}
	if _, err := p.clientsFor(testSub); err == nil || !strings.Contains(err.Error(), EndpointEnv) {
		t.Errorf("clientsFor = %v", err)
	}
	p.Getenv = func(k string) string {
		return map[string]string{EndpointEnv: "http://management.example.com"}[k]
	}
	if _, err := p.clientsFor(testSub); err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("http to a remote endpoint: %v", err)
	}
}

func TestPlanFromEmptyStateDoesNoIO(t *testing.T) {
	e := newEnv(t)
	t.Setenv(SubscriptionEnv, "")
	p := e.Plan(testSpec)
	if len(p.Changes) != 2 {
		t.Fatalf("changes %+v", p.Changes)
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("plan from an empty state made %d requests", n)
	}
	for _, c := range p.Changes {
		if len(c.Calls) < 2 {
			t.Errorf("%s: calls %v", c.Address, c.Calls)
		}
		if c.MaintenanceWindow {
			t.Errorf("%s waits for a maintenance window", c.Address)
		}
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "ha, replicas: 1 → Azure Managed Redis Balanced_B1") {
		t.Errorf("notes %v", p.Notes)
	}
}

func TestDriftIsReportedAndReverted(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	e.srv.EditDatabase(testSub, testRG, "orders", "default", func(d *armfake.Database) { d.EvictionPolicy = "AllKeysRandom" })
	e.srv.EditCluster(testSub, testRG, "orders", func(c *armfake.Cluster) {
		c.Tags["costcenter"] = "42" // someone else's tag: kept, never diffed
		c.SKU = "Balanced_B3"
	})
	p := e.Plan(testSpec)
	drift := map[string]string{}
	for _, d := range p.Drift {
		drift[d.Address] += d.Message
	}
	if !strings.Contains(drift[addrDatabase], "eviction_policy changed outside redisctl") || !strings.Contains(drift[addrCluster], "sku changed outside redisctl") {
		t.Errorf("drift %+v", p.Drift)
	}
	if strings.Contains(drift[addrCluster], "tags") {
		t.Errorf("someone else's tag reported as drift: %+v", p.Drift)
	}
	if ch := providertest.Change(t, p, addrDatabase); ch.Action != providers.ActionUpdate || ch.Impact != providers.ImpactOnline {
		t.Errorf("database change %+v", ch)
	}
	e.MustApply(testSpec, true)
	if d := e.srv.Database(testSub, testRG, "orders", "default"); d.EvictionPolicy != "NoEviction" {
		t.Errorf("eviction %s after apply", d.EvictionPolicy)
	}
	c := e.srv.Cluster(testSub, testRG, "orders")
	if c.SKU != "Balanced_B1" || c.Tags["costcenter"] != "42" {
		t.Errorf("cluster after apply: sku %s tags %v", c.SKU, c.Tags)
	}
	if p := e.Plan(testSpec); !p.Empty() || len(p.Drift) > 0 {
		t.Errorf("plan after reverting drift: %+v %+v", p.Changes, p.Drift)
	}
}

func TestDeletedOutsideIsRecreated(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	e.srv.RemoveManaged(testSub, testRG, "orders")
	p := e.Plan(testSpec)
	if len(p.Drift) != 2 || !strings.Contains(p.Drift[0].Message, "deleted outside redisctl") {
		t.Errorf("drift %+v", p.Drift)
	}
	if ch := providertest.Change(t, p, addrCluster); ch.Action != providers.ActionCreate {
		t.Errorf("cluster change %+v", ch)
	}
}

func TestDestroyExportsFirstOrNeedsADecision(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	bare := strings.Replace(testSpec, "  finalExport: env:"+testSASEnv+"\n", "", 1)
	_, err := e.Run(context.Background(), bare, true, true)
	if err == nil || !strings.Contains(err.Error(), "provider.finalExport") || !strings.Contains(err.Error(), "skipFinalExport") {
		t.Fatalf("destroy without an export decision: %v", err)
	}
	if e.srv.ClusterCount() != 1 {
		t.Fatal("the refused destroy deleted something")
	}
	p, err := e.Run(context.Background(), testSpec, true, true)
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Join(providertest.Change(t, p, addrDatabase).Calls, "\n")
	if !strings.HasPrefix(calls, "Databases.Export(sasUri=(sensitive SAS URL))") {
		t.Errorf("database delete calls:\n%s", calls)
	}
	ex := e.srv.Exports()
	if len(ex) != 1 || ex[0].Target != testSAS || !strings.HasSuffix(ex[0].ResourceID, "/databases/default") {
		t.Errorf("exports %+v", ex)
	}
	if e.srv.ClusterCount() != 0 {
		t.Error("cluster left")
	}
}

func TestSkipFinalExport(t *testing.T) {
	e := newEnv(t)
	spec := strings.Replace(testSpec, "  finalExport: env:"+testSASEnv+"\n", "  skipFinalExport: true\n", 1)
	e.MustApply(spec, true)
	if _, err := e.Run(context.Background(), spec, true, true); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Exports()); n != 0 || e.srv.ClusterCount() != 0 {
		t.Errorf("exports %d clusters %d", n, e.srv.ClusterCount())
	}
}

// The export SAS URL and the access keys are secrets: they reach Azure but
// never state, plans, progress or the journal.
func TestNoSecretInStatePlansOrProgress(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	p := e.MustApply(strings.Replace(testSpec, "layout: ha", "layout: cluster\nshards: 1", 1), true)
	out := providertest.Render(t, p)
	dp, err := e.Run(context.Background(), strings.Replace(testSpec, "layout: ha", "layout: cluster\nshards: 1", 1), true, true)
	if err != nil {
		t.Fatal(err)
	}
	out += providertest.Render(t, dp)
	if len(e.srv.Exports()) != 2 {
		t.Fatalf("exports %+v: the SAS URL never reached Azure, so this test proves nothing", e.srv.Exports())
	}
	secrets := []string{"TopSecretSignature", "pk-orders", "sk-orders"}
	check := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %q", where, s)
			}
		}
	}
	check("plans", out)
	check("progress", e.Progress.String())
	err = filepath.Walk(e.Dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		check(path, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStatusAndConnectionPassword(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	s := e.MustOpen(testSpec)
	st, err := s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 1 || !st.Nodes[0].Up || st.Nodes[0].Address != "orders.westeurope.redis.azure.net:10000" {
		t.Errorf("status %+v", st.Nodes)
	}
	want := e.srv.Database(testSub, testRG, "orders", "default").PrimaryKey
	pw, err := e.prov.ConnectionPassword(context.Background(), providers.StatusRequest{Deployment: providers.Deployment{Spec: s.Spec}, Resources: s.State.Settled()})
	if err != nil || pw != want {
		t.Errorf("ConnectionPassword = %q, %v; want %q", pw, err, want)
	}
	off := strings.Replace(testSpec, "  location: westeurope\n", "  location: westeurope\n  accessKeys: Disabled\n", 1)
	e.MustApply(off, true)
	s = e.MustOpen(off)
	if _, err := e.prov.ConnectionPassword(context.Background(), providers.StatusRequest{Deployment: providers.Deployment{Spec: s.Spec}, Resources: s.State.Settled()}); err == nil || !strings.Contains(err.Error(), "Entra ID") {
		t.Errorf("with access keys off: %v", err)
	}
}

// A clustering-policy change is shown as what Azure does: the database is
// exported, deleted and created again — a replacement that loses data.
func TestClusteringPolicyChangeIsAReplacement(t *testing.T) {
	e := newEnv(t)
	e.MustApply(testSpec, true)
	for _, next := range []string{
		strings.Replace(testSpec, "layout: ha", "layout: cluster\nshards: 1", 1),
		strings.Replace(testSpec, "  location: westeurope\n", "  location: westeurope\n  clusteringPolicy: NoCluster\n", 1),
	} {
		p := e.Plan(next)
		ch := providertest.Change(t, p, addrDatabase)
		if ch.Action != providers.ActionReplace || ch.Impact != providers.ImpactDataLoss || ch.Reason != "forces replacement: clustering_policy changed" {
			t.Fatalf("change %+v", ch)
		}
		calls := strings.Join(ch.Calls, "\n")
		last := -1
		for _, want := range []string{"Databases.Export(", "Databases.Delete(default)", "Databases.Create(default"} {
			i := strings.Index(calls, want)
			if i <= last {
				t.Errorf("%q missing or out of order:\n%s", want, calls)
			}
			last = i
		}
		if out := providertest.Render(t, p); strings.Contains(out, "update in place") {
			t.Errorf("plan says update in place:\n%s", out)
		}
		if _, err := e.Run(context.Background(), next, false, false); err == nil || !strings.Contains(err.Error(), "data") {
			t.Errorf("apply without --allow-data-loss: %v", err)
		}
	}
}

// A replacement killed in its delete or in its create phase finishes on the
// next apply: nothing is exported twice, no third database appears.
func TestResumeAfterKillMidReplace(t *testing.T) {
	for _, phase := range []string{"delete database of orders: accepted by Azure", "create database of orders: accepted by Azure"} {
		t.Run(phase[:6], func(t *testing.T) {
			e := newEnv(t)
			e.MustApply(testSpec, true)
			cluster := strings.Replace(testSpec, "layout: ha", "layout: cluster\nshards: 1", 1)
			// The operation stays in progress until polled, and the kill
			// comes before the first poll.
			ctx := e.CancelWhen(phase)
			if _, err := e.Run(ctx, cluster, false, true); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted apply: %v", err)
			}
			p := e.Plan(cluster)
			if len(p.Changes) != 1 || p.Changes[0].Address != addrDatabase {
				t.Fatalf("plan after the interruption: %+v", p.Changes)
			}
			if _, err := e.Run(context.Background(), cluster, false, true); err != nil {
				t.Fatalf("resumed apply: %v", err)
			}
			if d := e.srv.Database(testSub, testRG, "orders", "default"); d == nil || d.ClusteringPolicy != "OSSCluster" {
				t.Errorf("database after the resumed replacement: %+v", d)
			}
			if n := len(e.srv.Exports()); n != 1 {
				t.Errorf("%d exports, want 1", n)
			}
			if n := e.srv.Count(http.MethodDelete, "/databases/default"); n != 1 {
				t.Errorf("database DELETE %d times, want 1", n)
			}
			if n := e.srv.Count(http.MethodPut, "/databases/default"); n != 2 {
				t.Errorf("database PUT %d times, want 2 (the first create and the replacement)", n)
			}
			if p := e.Plan(cluster); !p.Empty() {
				t.Errorf("plan after the resumed replacement: %+v", p.Changes)
			}
		})
	}
}

// A create that Azure fails leaves a Failed cluster: the next plan replaces
// it rather than leaving it broken or calling it up to date.
func TestFailedResourceIsReplaced(t *testing.T) {
	e := newEnv(t)
	e.srv.FailNextOperation("ResourceOperationFailure", "The resource operation completed with terminal provisioning state 'Failed'.")
	if _, err := e.Run(context.Background(), testSpec, false, false); err == nil {
		t.Fatal("apply succeeded")
	}
	if c := e.srv.Cluster(testSub, testRG, "orders"); c == nil || c.ProvisioningState != "Failed" {
		t.Fatalf("cluster %+v", c)
	}
	p := e.Plan(testSpec)
	ch := providertest.Change(t, p, addrCluster)
	if ch.Action != providers.ActionReplace || ch.Impact != providers.ImpactDataLoss || !strings.Contains(ch.Reason, "provisioningState Failed") {
		t.Fatalf("plan after the failure: %+v", ch)
	}
	e.MustApply(testSpec, true)
	if c := e.srv.Cluster(testSub, testRG, "orders"); c.ProvisioningState != "Succeeded" || e.srv.ClusterCount() != 1 {
		t.Errorf("cluster after the replacement %+v", c)
	}
	if len(e.srv.Exports()) != 0 {
		t.Error("exported a database that never existed")
	}
	if p := e.Plan(testSpec); !p.Empty() {
		t.Errorf("plan after the replacement: %+v", p.Changes)
	}
}
