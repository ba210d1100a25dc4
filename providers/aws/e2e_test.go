package aws_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/providers/aws/elasticachefake"
)

// fakeEnv starts a fake ElastiCache and points the CLI at it through the
// environment variables the AWS SDK reads, exactly as a user would.
func fakeEnv(t *testing.T) *elasticachefake.Server {
	t.Helper()
	f := elasticachefake.New()
	t.Cleanup(f.Close)
	f.AccessKey = "AKIDE2E"
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_ELASTICACHE": f.URL,
		"AWS_ACCESS_KEY_ID":            "AKIDE2E",
		"AWS_SECRET_ACCESS_KEY":        "e2e-secret-key",
		"AWS_SESSION_TOKEN":            "",
		"AWS_PROFILE":                  "",
		"AWS_REGION":                   "",
		"AWS_CONFIG_FILE":              "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE":  "/dev/null",
		"AWS_EC2_METADATA_DISABLED":    "true",
		"REDISCTL_POLL_INTERVAL":       "2ms",
	} {
		t.Setenv(k, v)
	}
	return f
}

type result struct {
	code        int
	out, errOut string
}

func run(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cmd.Run(ctx, args, ios)
	return result{code, out.String(), errOut.String()}
}

func must(t *testing.T, r result, want int, what string) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, want, r.out, r.errOut)
	}
}

// TestExamplesEndToEnd runs every examples/aws-*.yaml through the CLI
// against the fake: plan, apply, a clean re-plan, JSON plan, destroy.
func TestExamplesEndToEnd(t *testing.T) {
	files, err := filepath.Glob("../../examples/aws-*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("want the three aws examples, found %v (%v)", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f := fakeEnv(t)
			ctx := context.Background()
			state := t.TempDir()
			var outputs strings.Builder
			step := func(want int, what string, args ...string) result {
				r := run(t, ctx, append(args, "-f", file, "--state-dir", state)...)
				outputs.WriteString(r.out + r.errOut)
				must(t, r, want, what)
				return r
			}
			pj := step(0, "json plan before apply", "plan", "-o", "json")
			var first plan.JSONPlan
			if err := json.Unmarshal([]byte(pj.out), &first); err != nil || len(first.Changes) == 0 {
				t.Fatalf("json plan: %v\n%s", err, pj.out)
			}
			for _, c := range first.Changes {
				if len(c.Calls) == 0 || c.MaintenanceWindow {
					t.Errorf("%s: calls %v, maintenance window %v", c.Address, c.Calls, c.MaintenanceWindow)
				}
			}
			p := step(0, "plan", "plan")
			if !strings.Contains(p.out, "CreateReplicationGroup(") || !strings.Contains(p.out, "Plan: ") {
				t.Errorf("plan shows no CreateReplicationGroup call:\n%s", p.out)
			}
			a := step(0, "apply", "apply", "--auto-approve")
			if !strings.Contains(a.errOut, "→ available") {
				t.Errorf("apply printed no waiting progress:\n%s", a.errOut)
			}
			if !strings.Contains(a.out, "Apply complete!") || !strings.Contains(a.out, ".fake.cache.amazonaws.com:") {
				t.Errorf("apply output lacks the endpoints:\n%s", a.out)
			}
			if g := f.Groups(); len(g) != 1 {
				t.Fatalf("fake holds %v after apply", g)
			}
			step(0, "re-plan with --detailed-exitcode", "plan", "--detailed-exitcode")
			j := step(0, "json plan", "plan", "-o", "json")
			var jp plan.JSONPlan
			if err := json.Unmarshal([]byte(j.out), &jp); err != nil || len(jp.Changes) != 0 || len(jp.Notes) == 0 {
				t.Errorf("json re-plan: %v, %d changes, notes %v", err, len(jp.Changes), jp.Notes)
			}
			st := step(0, "status", "status")
			if !strings.Contains(st.out, "-001") || !strings.Contains(st.out, " up ") {
				t.Errorf("status shows no nodes:\n%s", st.out)
			}
			d := step(0, "destroy", "destroy", "--auto-approve")
			if !strings.Contains(d.errOut, "final snapshot") {
				t.Errorf("destroy did not report its final snapshot:\n%s", d.errOut)
			}
			if g := f.Groups(); len(g) != 0 {
				t.Errorf("replication groups left after destroy: %v", g)
			}
			if pgs := f.ParameterGroups(); len(pgs) != 0 {
				t.Errorf("parameter groups left after destroy: %v", pgs)
			}
			if sgs := f.SubnetGroups(); len(sgs) != 0 {
				t.Errorf("subnet groups left after destroy: %v", sgs)
			}
			if sn := f.Snapshots(); len(sn) != 1 || sn[0].Status != "available" {
				t.Errorf("final snapshots %+v, want one", sn)
			}
			checkNoToken(t, f, outputs.String(), state)
		})
	}
}

// checkNoToken finds the AUTH token the fake received and makes sure it
// appears in no output and no state file.
func checkNoToken(t *testing.T, f *elasticachefake.Server, output, stateDir string) {
	t.Helper()
	var token string
	for _, r := range f.Requests() {
		if v := r.Params.Get("AuthToken"); v != "" {
			token = v
		}
	}
	if token == "" {
		t.Fatal("the fake never received an AUTH token")
	}
	if strings.Contains(output, token) {
		t.Error("the AUTH token appears in the CLI's output")
	}
	_ = filepath.Walk(stateDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.Contains(path, string(filepath.Separator)+"secrets"+string(filepath.Separator)) {
			return err
		}
		if b, _ := os.ReadFile(path); strings.Contains(string(b), token) {
			t.Errorf("%s holds the AUTH token in clear", path)
		}
		return nil
	})
}

// TestKilledApplyResumes interrupts the CLI while it waits for the
// replication group to be created, then runs apply again: the second run
// waits for the same group instead of creating another.
func TestKilledApplyResumes(t *testing.T) {
	f := fakeEnv(t)
	f.Polls = 1000 // stays "creating" until the test lets it finish
	file := "../../examples/aws-single.yaml"
	state := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if f.Count("CreateReplicationGroup") > 0 && f.Count("DescribeReplicationGroups") > 5 {
				cancel() // the SIGINT the user sends, mid-wait
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	r := run(t, ctx, "apply", "-f", file, "--state-dir", state, "--auto-approve")
	cancel()
	if r.code != 130 || !strings.Contains(r.errOut, "run the same command again") {
		t.Fatalf("interrupted apply: exit %d\n%s", r.code, r.errOut)
	}
	g, ok := f.Group("aws-single")
	if !ok || g.Status != "creating" {
		t.Fatalf("after the interruption the group is %+v (exists %v), want creating", g.Status, ok)
	}
	p := run(t, context.Background(), "plan", "-f", file, "--state-dir", state)
	must(t, p, 0, "plan after the interruption")
	if strings.Contains(p.out, "will be created") && strings.Contains(p.out, "aws_replication_group.main will be created") {
		t.Errorf("plan after the interruption creates the group again:\n%s", p.out)
	}
	if !strings.Contains(p.out, "still creating") {
		t.Errorf("plan does not say it waits for the group being created:\n%s", p.out)
	}
	f.SetPolls(3)
	f.FinishIn("aws-single", 3)
	must(t, run(t, context.Background(), "apply", "-f", file, "--state-dir", state, "--auto-approve"), 0, "apply again")
	if n := f.Count("CreateReplicationGroup"); n != 1 {
		t.Errorf("CreateReplicationGroup called %d times, want 1", n)
	}
	if g, _ := f.Group("aws-single"); g.Status != "available" {
		t.Errorf("group is %s after the resumed apply", g.Status)
	}
	must(t, run(t, context.Background(), "plan", "-f", file, "--state-dir", state, "--detailed-exitcode"), 0, "clean plan after resuming")
	must(t, run(t, context.Background(), "destroy", "-f", file, "--state-dir", state, "--auto-approve"), 0, "destroy")
}

// TestNoCredentials: with no credentials anywhere, plan of a deployment
// that exists fails with what to set, and plan of a new one needs none.
func TestNoCredentials(t *testing.T) {
	fakeEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	file := "../../examples/aws-single.yaml"
	state := t.TempDir()
	must(t, run(t, context.Background(), "plan", "-f", file, "--state-dir", state), 0, "plan from empty state")
	r := run(t, context.Background(), "apply", "-f", file, "--state-dir", state, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.errOut, "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") {
		t.Errorf("apply without credentials: exit %d\n%s", r.code, r.errOut)
	}
}

// TestImportCLI adopts a replication group made by another tool with
// `redisctl import`; the first plan is empty and the next change applies.
func TestImportCLI(t *testing.T) {
	f := fakeEnv(t)
	t.Setenv("LEGACY_TOKEN", "legacy-Token-0123456789")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	api := elasticache.NewFromConfig(cfg)
	if _, err := api.CreateReplicationGroup(ctx, &elasticache.CreateReplicationGroupInput{
		ReplicationGroupId: aws.String("orders-cache"), ReplicationGroupDescription: aws.String("made by hand"),
		Engine: aws.String("valkey"), EngineVersion: aws.String("8.0"), CacheNodeType: aws.String("cache.t4g.small"),
		ClusterMode: types.ClusterModeEnabled, NumNodeGroups: aws.Int32(2), ReplicasPerNodeGroup: aws.Int32(1),
		MultiAZEnabled: aws.Bool(true), TransitEncryptionEnabled: aws.Bool(true), AuthToken: aws.String("legacy-Token-0123456789"),
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if g, _ := f.Group("orders-cache"); g.Status == "available" {
			break
		}
		_, _ = api.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String("orders-cache")})
	}
	dir := t.TempDir()
	file, state := filepath.Join(dir, "orders.yaml"), filepath.Join(dir, "state")
	r := run(t, ctx, "import", "--provider", "aws", "--id", "orders-cache", "--name", "orders", "--set", "region=eu-west-1", "--set", "authTokenEnv=LEGACY_TOKEN", "-f", file, "--state-dir", state)
	must(t, r, 0, "import")
	// The group used a default parameter group: the first plan moves it to
	// one redisctl manages (online), and says so.
	if !strings.Contains(r.errOut, "read-only parameter group default.valkey8.cluster.on") {
		t.Errorf("import warnings:\n%s", r.errOut)
	}
	p := run(t, ctx, "plan", "-f", file, "--state-dir", state, "--detailed-exitcode")
	must(t, p, 2, "first plan (parameter group only)")
	if !strings.Contains(p.out, "aws_parameter_group.orders-cache-valkey8-cluster will be created") || !strings.Contains(p.out, "CacheParameterGroupName=orders-cache-valkey8-cluster") || strings.Contains(p.out, "will be replaced") {
		t.Errorf("first plan:\n%s", p.out)
	}
	must(t, run(t, ctx, "apply", "-f", file, "--state-dir", state, "--auto-approve"), 0, "apply")
	must(t, run(t, ctx, "plan", "-f", file, "--state-dir", state, "--detailed-exitcode"), 0, "clean plan")
	if n := f.Count("CreateReplicationGroup"); n != 1 {
		t.Errorf("the adopted group was created again (%d creates)", n)
	}
}
