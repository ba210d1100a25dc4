package azure_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/providers/azure"
	"github.com/redisctl/redisctl/providers/azure/armfake"
)

const (
	e2eSub = "11111111-2222-3333-4444-555555555555"
	e2eSAS = "https://exports.blob.core.windows.net/redis?sv=2024-11-04&sp=rwl&sig=E2eSecretSignature%3D"
)

// run runs one redisctl invocation in-process.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cmd.Run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

// cliEnv points the SDK at a fresh fake the way a user's shell would.
func cliEnv(t *testing.T) *armfake.Server {
	t.Helper()
	srv := armfake.New()
	t.Cleanup(srv.Close)
	t.Setenv(azure.EndpointEnv, srv.URL)
	t.Setenv(azure.TestCredentialEnv, "1")
	t.Setenv(azure.SubscriptionEnv, e2eSub)
	t.Setenv("REDISCTL_POLL_INTERVAL", "2ms")
	t.Setenv("AZURE_REDIS_EXPORT_SAS", e2eSAS)
	return srv
}

// TestExamplesEndToEnd runs plan, apply, a clean re-plan, and destroy on
// every Azure example through the CLI against the fake.
func TestExamplesEndToEnd(t *testing.T) {
	files, err := filepath.Glob("../../examples/azure-*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("azure examples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv := cliEnv(t)
			classic := strings.Contains(f, "classic")
			if classic {
				srv.AddCache(e2eSub, "rg-legacy", armfake.Cache{Name: "legacy-cache", Location: "West Europe",
					SKU: armfake.CacheSKU{Name: "Standard", Family: "C", Capacity: 3}, MinimumTLSVersion: "1.2"})
			}
			state := t.TempDir()
			code, out, errOut := run(t, "plan", "-f", f, "--state-dir", state, "-o", "json")
			if code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			var p struct {
				Changes []struct {
					Address string   `json:"address"`
					Calls   []string `json:"calls"`
				} `json:"changes"`
				Warnings []string `json:"warnings"`
			}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("plan JSON: %v\n%s", err, out)
			}
			for _, c := range p.Changes {
				if len(c.Calls) == 0 {
					t.Errorf("plan JSON: %s has no API calls", c.Address)
				}
			}
			if classic != strings.Contains(strings.Join(p.Warnings, "\n"), "retired in 2028") {
				t.Errorf("retirement warning shown=%v for %s: %v", !classic, f, p.Warnings)
			}

			if code, _, errOut := run(t, "apply", "-f", f, "--state-dir", state, "--auto-approve"); code != 0 {
				t.Fatalf("apply: exit %d\n%s", code, errOut)
			}
			if code, out, errOut := run(t, "plan", "-f", f, "--state-dir", state, "--detailed-exitcode"); code != 0 {
				t.Fatalf("re-plan after apply: exit %d (want 0: no changes)\n%s%s", code, out, errOut)
			}
			if classic {
				if srv.Count("PUT", "/redis/legacy-cache") != 0 {
					t.Error("a classic cache was created")
				}
				if c := srv.Cache(e2eSub, "rg-legacy", "legacy-cache"); c == nil || c.Tags["redisctl-deployment"] != "azure-classic" {
					t.Errorf("adopted cache not tagged: %+v", c)
				}
			} else if srv.ClusterCount() != 1 {
				t.Errorf("fake holds %d clusters after apply, want 1", srv.ClusterCount())
			}

			code, out, errOut = run(t, "destroy", "-f", f, "--state-dir", state, "--auto-approve")
			if code != 0 {
				t.Fatalf("destroy: exit %d\n%s%s", code, out, errOut)
			}
			if strings.Contains(out+errOut, "E2eSecretSignature") {
				t.Error("the export SAS signature was printed")
			}
			if srv.ClusterCount() != 0 || srv.Cache(e2eSub, "rg-legacy", "legacy-cache") != nil {
				t.Error("resources left after destroy")
			}
			spec, _ := os.ReadFile(f)
			if strings.Contains(string(spec), "finalExport") && len(srv.Exports()) != 1 {
				t.Errorf("destroy with finalExport made %d exports, want 1", len(srv.Exports()))
			}
			if entries, _ := os.ReadDir(state); len(entries) > 0 {
				for _, e := range entries {
					if strings.HasSuffix(e.Name(), ".state.json") {
						t.Errorf("state %s left after destroy", e.Name())
					}
				}
			}
		})
	}
}

// TestImportThenPlanIsEmpty adopts an existing Managed Redis cluster and an
// existing classic cache with `redisctl import`; the first plan of each
// spec it writes has no changes.
func TestImportThenPlanIsEmpty(t *testing.T) {
	srv := cliEnv(t)
	srv.AddManaged(e2eSub, "rg-amr", armfake.Cluster{Name: "sessions-cache", Location: "East US", SKU: "ComputeOptimized_X5",
		Zones: []string{"1", "2"}, Tags: map[string]string{"env": "prod", "Cost Center": "42"}},
		armfake.Database{ClusteringPolicy: "EnterpriseCluster", EvictionPolicy: "AllKeysLRU", ClientProtocol: "Encrypted",
			Persistence: armfake.Persistence{RDBEnabled: true, RDBFrequency: "6h"}})
	srv.AddCache(e2eSub, "rg-legacy", armfake.Cache{Name: "legacy-cache", Location: "westeurope",
		SKU: armfake.CacheSKU{Name: "Premium", Family: "P", Capacity: 2}, RedisConfiguration: map[string]string{"maxmemory-policy": "allkeys-lfu"}})
	cases := []struct{ name, id, set, key string }{
		{"sessions", "/subscriptions/" + e2eSub + "/resourceGroups/rg-amr/providers/Microsoft.Cache/redisEnterprise/sessions-cache", "", "pk-sessions-cache"},
		{"legacy", "legacy-cache", "resourceGroup=rg-legacy", "classic-pk-legacy-cache"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, c.name+".yaml")
			args := []string{"import", "--provider", "azure", "--id", c.id, "--name", c.name, "-f", spec, "--state-dir", dir}
			if c.set != "" {
				args = append(args, "--set", c.set)
			}
			code, out, errOut := run(t, args...)
			if code != 0 {
				t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
			}
			if code, out, errOut := run(t, "plan", "-f", spec, "--state-dir", dir, "--detailed-exitcode"); code != 0 {
				b, _ := os.ReadFile(spec)
				t.Fatalf("first plan after import: exit %d\n%s%s\nspec:\n%s", code, out, errOut, b)
			}
			code, out, _ = run(t, "output", "-f", spec, "--state-dir", dir, "--show-secrets", "-o", "json")
			if code != 0 || !strings.Contains(out, c.key) {
				t.Errorf("output --show-secrets: exit %d\n%s", code, out)
			}
			if _, out, _ := run(t, "output", "-f", spec, "--state-dir", dir, "-o", "json"); strings.Contains(out, c.key) {
				t.Errorf("output without --show-secrets shows the key:\n%s", out)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, c.name+".state.json")); strings.Contains(string(b), c.key) {
				t.Error("state holds the access key")
			}
		})
	}
	if c := srv.Cluster(e2eSub, "rg-amr", "sessions-cache"); c.Tags["redisctl-deployment"] != "sessions" || c.Tags["Cost Center"] != "42" {
		t.Errorf("tags after import %v", c.Tags)
	}
	// A resource another deployment manages is not taken over.
	code, _, errOut := run(t, "import", "--provider", "azure", "--id", cases[0].id, "--name", "thief", "-f", filepath.Join(t.TempDir(), "x.yaml"), "--state-dir", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "deployment \"sessions\" manages it") {
		t.Errorf("import of a managed resource under another name: exit %d\n%s", code, errOut)
	}
}
