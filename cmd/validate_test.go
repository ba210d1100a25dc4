package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/topology"
)

// run executes redisctl in-process and returns its exit code and streams.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code = Run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func writeSpec(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const specHeader = "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: demo\n"

func TestValidateValid(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", "-f", "../examples/quickstart.yaml")
	if code != 0 || out != "../examples/quickstart.yaml: valid (layout single: 1 primary)\n" || errOut != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestValidateProblems(t *testing.T) {
	file := writeSpec(t, specHeader+"replica: 2\nmemory: lots\nprovider:\n  name: local\n  dri: /tmp\n")
	code, out, errOut := runCLI(t, "validate", "-f", file)
	want := file + `:4:1: replica: unknown field "replica"; did you mean "replicas"?` + "\n" +
		file + `:5:9: memory: "lots" is not a memory amount; write a whole number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T), e.g. 512Mi` + "\n" +
		"Error: " + file + " is not valid: 2 problems\n"
	if code != 1 || out != "" || errOut != want {
		t.Errorf("exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}
}

func TestValidateProviderProblems(t *testing.T) {
	file := writeSpec(t, specHeader+"provider:\n  name: local\n  dri: /tmp\n")
	code, _, errOut := runCLI(t, "validate", "-f", file)
	if code != 1 || !strings.Contains(errOut, file+`:6:3: provider.dri: unknown field "dri" in the local provider settings; did you mean "dir"?`) {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	file = writeSpec(t, specHeader+"provider:\n  name: nimbus\n")
	code, _, errOut = runCLI(t, "validate", "-f", file)
	if code != 1 || !strings.Contains(errOut, file+`:5:9: provider.name: unknown provider "nimbus"`) {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

func TestValidateUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "validate")
	if code != 1 || !strings.Contains(errOut, "pass -f FILE") || !strings.Contains(errOut, "--help") {
		t.Errorf("no -f: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "validate", "-f", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != 1 || !strings.Contains(errOut, "Error: read spec: open ") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestSummarizeNodes(t *testing.T) {
	tests := []struct{ body, want string }{
		{"", "layout single: 1 primary"},
		{"layout: ha\nreplicas: 2\n", "layout ha: 1 primary, 2 replicas, 3 sentinels"},
		{"layout: ha\nreplicas: 0\nsentinels: 1\n", "layout ha: 1 primary, 0 replicas, 1 sentinel"},
		{"layout: cluster\nshards: 4\nreplicas: 1\n", "layout cluster: 4 shards, 4 primaries, 4 replicas"},
		{"layout: cluster\nshards: 1\nreplicas: 0\n", "layout cluster: 1 shard, 1 primary, 0 replicas"},
	}
	for _, tt := range tests {
		s, err := topology.Parse("spec.yaml", []byte(specHeader+tt.body))
		if err != nil {
			t.Fatal(err)
		}
		p, err := topology.PlanNodes(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := summarizeNodes(p); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.body, got, tt.want)
		}
	}
}
