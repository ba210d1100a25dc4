package digitalocean_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/providers/digitalocean"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
)

// TestExamplesEndToEnd runs the CLI — plan, apply, plan --detailed-exitcode,
// output, status, destroy — on every digitalocean example, with the
// environment pointing godo at the fake.
func TestExamplesEndToEnd(t *testing.T) {
	files, err := filepath.Glob("../../examples/digitalocean-*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fake := dofake.New()
			defer fake.Close()
			t.Setenv(digitalocean.EnvToken, dofake.Token)
			t.Setenv(digitalocean.EnvAccessToken, "")
			t.Setenv(digitalocean.EnvEndpoint, fake.URL())
			t.Setenv("REDISCTL_POLL_INTERVAL", "1ms")
			stateDir := t.TempDir()
			run := func(want int, args ...string) (string, string) {
				t.Helper()
				ios, _, out, errOut := iostreams.Test()
				args = append(args, "-f", f, "--state-dir", stateDir)
				if code := cmd.Run(context.Background(), args, ios); code != want {
					t.Fatalf("redisctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out.String(), errOut.String()
			}
			var transcript strings.Builder
			record := func(out, errOut string) {
				transcript.WriteString(out)
				transcript.WriteString(errOut)
			}
			out, errOut := run(2, "plan", "--detailed-exitcode")
			record(out, errOut)
			if !strings.Contains(out, "Databases.Create(") || !strings.Contains(out, "1 to add") {
				t.Errorf("plan:\n%s", out)
			}
			fake.Throttle(1, "0") // the CLI retries a throttled call
			record(run(0, "apply", "--auto-approve"))
			if cs := fake.Clusters(); len(cs) != 1 || cs[0].Status != "online" {
				t.Fatalf("after apply the fake holds %+v", cs)
			}
			out, errOut = run(0, "plan", "--detailed-exitcode")
			record(out, errOut)
			out, errOut = run(0, "output", "-o", "json")
			record(out, errOut)
			if !strings.Contains(out, "db.ondigitalocean.com") || !strings.Contains(out, `"tls": true`) {
				t.Errorf("output:\n%s", out)
			}
			record(run(0, "status"))
			password := fake.Clusters()[0].Password
			// --show-secrets reads the service-made password live; it is not
			// recorded in the transcript checked below.
			if shown, _ := run(0, "output", "-o", "url", "--show-secrets"); !strings.Contains(shown, ":"+password+"@") {
				t.Errorf("output --show-secrets does not carry the service's password: %q", shown)
			}
			if !strings.Contains(out, `"password": "REDACTED"`) {
				t.Errorf("output without --show-secrets should say the password is redacted:\n%s", out)
			}
			record(run(0, "destroy", "--auto-approve"))
			if n := len(fake.Clusters()); n != 0 {
				t.Errorf("%d clusters left after destroy", n)
			}
			if strings.Contains(transcript.String(), password) {
				t.Error("the CLI printed the cluster's password")
			}
		})
	}
}

func TestMissingTokenIsExplained(t *testing.T) {
	t.Setenv(digitalocean.EnvToken, "")
	t.Setenv(digitalocean.EnvAccessToken, "")
	stateDir := t.TempDir()
	f := "../../examples/digitalocean-single.yaml"
	ios, _, out, errOut := iostreams.Test()
	if code := cmd.Run(context.Background(), []string{"plan", "-f", f, "--state-dir", stateDir}, ios); code != 0 {
		t.Fatalf("plan without a token: exit %d\n%s%s", code, out, errOut)
	}
	ios, _, _, errOut = iostreams.Test()
	code := cmd.Run(context.Background(), []string{"apply", "--auto-approve", "-f", f, "--state-dir", stateDir}, ios)
	if code != 1 || !strings.Contains(errOut.String(), "no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)") {
		t.Errorf("apply without a token: exit %d\n%s", code, errOut)
	}
}

// TestImportEndToEnd adopts a cluster made outside redisctl with `redisctl
// import`; the first plan of the spec it writes is empty.
func TestImportEndToEnd(t *testing.T) {
	fake := dofake.New()
	defer fake.Close()
	t.Setenv(digitalocean.EnvToken, dofake.Token)
	t.Setenv(digitalocean.EnvEndpoint, fake.URL())
	id := fake.AddCluster(dofake.Cluster{Name: "sessions", Engine: "valkey", Version: "8", Size: "db-s-1vcpu-2gb",
		Region: "lon1", NumNodes: 1, EvictionPolicy: "volatile_ttl", Persistence: "off",
		Rules: []dofake.Rule{{UUID: "r", Type: "ip_addr", Value: "198.51.100.0/24"}}})
	dir := t.TempDir()
	spec := filepath.Join(dir, "sessions.yaml")
	run := func(want int, args ...string) string {
		t.Helper()
		ios, _, out, errOut := iostreams.Test()
		if code := cmd.Run(context.Background(), args, ios); code != want {
			t.Fatalf("redisctl %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out.String() + errOut.String()
	}
	out := run(0, "import", "--provider", "digitalocean", "--id", id, "--name", "sessions", "-f", spec, "--state-dir", dir)
	if !strings.Contains(out, "tagged cluster sessions with redisctl-deployment:sessions") {
		t.Errorf("import output:\n%s", out)
	}
	run(0, "plan", "--detailed-exitcode", "-f", spec, "--state-dir", dir)
	if n := len(fake.Clusters()); n != 1 {
		t.Errorf("%d clusters", n)
	}
}
