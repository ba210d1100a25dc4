package cmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
)

type importingProvider struct {
	providers.Provider
	got providers.ImportRequest
}

func (p *importingProvider) Import(_ context.Context, req providers.ImportRequest) (*providers.ImportResponse, error) {
	p.got = req
	if req.ID == "missing" {
		return nil, errors.New("no such cache")
	}
	return &providers.ImportResponse{
		Spec: []byte("apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: " + req.Deployment + "\nmemory: 1Gi\nprovider:\n  name: fake\n"),
		Resources: []providers.Resource{{Type: "fake_cache", Name: "main", ID: req.ID,
			Attrs: map[string]string{"password": req.Fingerprint("from-the-cloud")}}},
	}, nil
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	fake := &importingProvider{}
	reg := providers.NewRegistry()
	reg.Register("fake", func() providers.Provider { return fake })
	reg.Register("plain", func() providers.Provider { return struct{ providers.Provider }{} })
	run := func(args ...string) error {
		ios, _, _, _ := iostreams.Test()
		return importRun(&ImportOptions{IO: ios, Ctx: context.Background(), registryFn: func() *providers.Registry { return reg },
			Provider: args[0], ID: args[1], Name: "orders", File: filepath.Join(dir, "orders.yaml"), StateDir: filepath.Join(dir, "st"),
			Settings: []string{"region=eu-west-1"}})
	}
	if err := run("plain", "x"); err == nil || !strings.Contains(err.Error(), "cannot import") {
		t.Errorf("provider without Importer: %v", err)
	}
	if err := run("fake", "missing"); err == nil || !strings.Contains(err.Error(), "no such cache") {
		t.Errorf("missing cache: %v", err)
	}
	if err := run("fake", "orders-cache"); err != nil {
		t.Fatal(err)
	}
	if fake.got.Settings["region"] != "eu-west-1" || fake.got.Deployment != "orders" {
		t.Errorf("provider got %+v", fake.got)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "orders.yaml"))
	if err != nil || !strings.Contains(string(spec), "name: orders") {
		t.Fatalf("spec not written: %v %q", err, spec)
	}
	st, err := (&state.Store{Dir: filepath.Join(dir, "st")}).Load("orders", "fake")
	if err != nil || len(st.Resources) != 1 || st.Resources[0].ID != "orders-cache" || st.Lineage == "" {
		t.Fatalf("state %+v, %v", st, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "st", "orders.state.json"))
	if strings.Contains(string(raw), "from-the-cloud") {
		t.Error("state holds the imported secret in clear")
	}
	if err := run("fake", "orders-cache"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second import over the same file: %v", err)
	}
}
