package gcp_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/protobuf/proto"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers/gcp"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
)

// cli runs redisctl in-process against a fake through the environment the
// binary reads (REDISCTL_GCP_ENDPOINT, REDISCTL_GCP_INSECURE).
type cli struct {
	t        *testing.T
	stateDir string
}

func newCLI(t *testing.T) (*cli, *memorystorefake.Server) {
	f := memorystorefake.Start(t)
	t.Setenv(gcp.EndpointEnv, f.Addr())
	t.Setenv(gcp.InsecureEnv, "1")
	t.Setenv(deploy.PollIntervalEnv, "1ms")
	return &cli{t: t, stateDir: t.TempDir()}, f
}

func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cmd.Run(context.Background(), append(args, "--state-dir", c.stateDir), ios)
	return code, out.String(), errOut.String()
}

func (c *cli) must(want int, args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(args...)
	if code != want {
		c.t.Fatalf("redisctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out + errOut
}

// TestExamplesEndToEnd plans, applies, re-plans clean, shows and destroys
// every examples/gcp-*.yaml with the CLI against the fake.
func TestExamplesEndToEnd(t *testing.T) {
	files, err := filepath.Glob("../../examples/gcp-*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("want examples/gcp-{single,ha,cluster}.yaml, found %v (%v)", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, f := newCLI(t)
			cluster := strings.Contains(file, "cluster")
			out := c.must(0, "plan", "-f", file)
			create := "CreateInstance("
			if cluster {
				create = "CreateCluster("
			}
			if !strings.Contains(out, create) {
				t.Errorf("plan does not show %s:\n%s", create, out)
			}
			c.must(2, "plan", "-f", file, "--detailed-exitcode")

			var js struct {
				Changes []struct {
					Calls             []string `json:"calls"`
					MaintenanceWindow bool     `json:"maintenance_window"`
				} `json:"changes"`
			}
			if err := json.Unmarshal([]byte(c.must(0, "plan", "-f", file, "-o", "json")), &js); err != nil {
				t.Fatal(err)
			}
			if len(js.Changes) != 1 || len(js.Changes[0].Calls) == 0 || !strings.HasPrefix(js.Changes[0].Calls[0], create) {
				t.Errorf("plan JSON calls: %+v", js.Changes)
			}

			out = c.must(0, "apply", "-f", file, "--auto-approve")
			if !strings.Contains(out, "→ ready") || !strings.Contains(out, "Apply complete!") {
				t.Errorf("apply output lacks progress or summary:\n%s", out)
			}
			c.must(0, "plan", "-f", file, "--detailed-exitcode")
			out = c.must(0, "output", "-f", file)
			if !strings.Contains(out, ":6379") && !strings.Contains(out, ":6378") {
				t.Errorf("output shows no endpoint:\n%s", out)
			}
			if st := c.must(0, "status", "-f", file); !strings.Contains(st, " up ") {
				t.Errorf("status does not show the deployment up:\n%s", st)
			}

			if cluster && len(f.Clusters()) != 1 || !cluster && len(f.Instances()) != 1 {
				t.Fatalf("fake holds %d instances, %d clusters", len(f.Instances()), len(f.Clusters()))
			}
			if !cluster {
				auth := f.AuthString(f.Instances()[0].Name)
				if auth == "" || strings.Contains(out, auth) || !strings.Contains(out, "REDACTED") {
					t.Errorf("output without --show-secrets must redact the AUTH string %q:\n%s", auth, out)
				}
				url := c.must(0, "output", "-f", file, "-o", "url", "--show-secrets")
				if !strings.Contains(url, ":"+auth+"@") {
					t.Errorf("output --show-secrets does not carry the service's AUTH string: %s", url)
				}
			} else if strings.Contains(out, "REDACTED") {
				t.Errorf("a cluster has no static password, yet output shows one redacted:\n%s", out)
			}
			c.must(0, "destroy", "-f", file, "--auto-approve")
			if len(f.Instances())+len(f.Clusters()) != 0 {
				t.Errorf("left after destroy: %v %v", f.Instances(), f.Clusters())
			}
			if snaps := len(f.Exports()) + len(f.Backups()); snaps != 1 {
				t.Errorf("destroy took %d final snapshots, want 1", snaps)
			}
		})
	}
}

// TestCLIResumesAfterKill: an apply interrupted while waiting for the
// creation is continued by the next apply without creating again.
func TestCLIResumesAfterKill(t *testing.T) {
	c, f := newCLI(t)
	f.SetOpPolls(5)
	file := "../../examples/gcp-single.yaml"
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	f.OnCall(func(method string) {
		if method == "GetOperation" {
			if polls++; polls == 2 {
				cancel()
			}
		}
	})
	ios, _, _, errOut := iostreams.Test()
	if code := cmd.Run(ctx, []string{"apply", "-f", file, "--auto-approve", "--state-dir", c.stateDir}, ios); code == 0 {
		t.Fatalf("interrupted apply exited 0:\n%s", errOut)
	}
	f.OnCall(nil)
	if n := len(f.Instances()); n != 1 {
		t.Fatalf("%d instances after the interrupted apply", n)
	}
	out := c.must(0, "apply", "-f", file, "--auto-approve")
	if !strings.Contains(out, "waits for the interrupted create") {
		t.Errorf("second apply does not say it resumes:\n%s", out)
	}
	if n := f.Calls("CreateInstance"); n != 1 {
		t.Errorf("CreateInstance called %d times, want 1", n)
	}
	c.must(0, "plan", "-f", file, "--detailed-exitcode")
	c.must(0, "destroy", "-f", file, "--auto-approve")
}

// TestCLIImport adopts caches made outside redisctl with `redisctl import`;
// the first plan of the spec it writes is empty, and the deployment can
// then be changed and destroyed like any other.
func TestCLIImport(t *testing.T) {
	c, f := newCLI(t)
	f.PutInstance(&redispb.Instance{
		Name: "projects/demo-project/locations/us-central1/instances/legacy", Tier: redispb.Instance_STANDARD_HA,
		MemorySizeGb: 5, ReplicaCount: 2, ReadReplicasMode: redispb.Instance_READ_REPLICAS_ENABLED, AuthEnabled: true,
		RedisConfigs: map[string]string{"maxmemory-policy": "allkeys-lru"}, Labels: map[string]string{"team": "shop"},
	})
	f.PutCluster(&clusterpb.Cluster{
		Name: "projects/demo-project/locations/us-central1/clusters/sessions", ShardCount: proto.Int32(4), ReplicaCount: proto.Int32(1),
		NodeType: clusterpb.NodeType_REDIS_HIGHMEM_MEDIUM, PscConfigs: []*clusterpb.PscConfig{{Network: "projects/demo-project/global/networks/prod"}},
		PersistenceConfig: &clusterpb.ClusterPersistenceConfig{Mode: clusterpb.ClusterPersistenceConfig_AOF, AofConfig: &clusterpb.ClusterPersistenceConfig_AOFConfig{AppendFsync: clusterpb.ClusterPersistenceConfig_AOFConfig_EVERYSEC}},
	})
	dir := t.TempDir()
	legacy, sessions := filepath.Join(dir, "legacy.yaml"), filepath.Join(dir, "sessions.yaml")
	out := c.must(0, "import", "--provider", "gcp", "--id", "legacy", "--name", "legacy", "--set", "project=demo-project", "--set", "region=us-central1", "-f", legacy)
	if !strings.Contains(out, "has no redisctl-deployment label") {
		t.Errorf("import does not warn about the missing label:\n%s", out)
	}
	c.must(0, "import", "--provider", "gcp", "--id", "projects/demo-project/locations/us-central1/clusters/sessions", "--name", "sessions", "-f", sessions)
	c.must(0, "plan", "-f", legacy, "--detailed-exitcode")
	c.must(0, "plan", "-f", sessions, "--detailed-exitcode")

	// Adopted: an edit plans as an in-place change of that very instance.
	data, _ := os.ReadFile(legacy)
	if err := os.WriteFile(legacy, []byte(strings.Replace(string(data), "replicas: 2", "replicas: 3", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	c.must(2, "plan", "-f", legacy, "--detailed-exitcode")
	c.must(0, "apply", "-f", legacy, "--auto-approve")
	if in := f.Instance("projects/demo-project/locations/us-central1/instances/legacy"); in.GetReplicaCount() != 3 || in.Labels["team"] != "shop" {
		t.Errorf("after apply: %v", in)
	}
	c.must(0, "plan", "-f", legacy, "--detailed-exitcode")
	c.must(0, "destroy", "-f", sessions, "--auto-approve")
	if len(f.Clusters()) != 0 || len(f.Backups()) != 1 {
		t.Errorf("clusters %d, backups %d after destroy", len(f.Clusters()), len(f.Backups()))
	}
}
