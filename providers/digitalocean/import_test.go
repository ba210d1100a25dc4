package digitalocean

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/digitalocean/dofake"
)

func TestImportWritesASpecThatPlansEmpty(t *testing.T) {
	e := newTestEnv(t)
	id := e.fake.AddCluster(dofake.Cluster{
		Name: "legacy-cache", Engine: "valkey", Version: "8", Size: "db-s-2vcpu-4gb", Region: "fra1", NumNodes: 2,
		Tags: []string{"env:prod", "billing"}, EvictionPolicy: "allkeys_lru", Persistence: "rdb",
		Rules:          []dofake.Rule{{UUID: "r1", Type: "ip_addr", Value: "203.0.113.5"}, {UUID: "r2", Type: "tag", Value: "web"}},
		MaintenanceDay: "sunday", MaintenanceHour: "02:00:00",
	})
	salt := secret.NewSalt()
	resp, err := e.prov.Import(context.Background(), providers.ImportRequest{
		Deployment: "cache", ID: id, StateDir: e.StateDir,
		Fingerprint: func(v string) string { return secret.Fingerprint(salt, v) },
	})
	if err != nil {
		t.Fatal(err)
	}
	spec := string(resp.Spec)
	for _, want := range []string{"name: cache\n", "layout: ha\n", "replicas: 1\n", "memory: 4Gi\n", "evictionPolicy: allkeys-lru\n",
		"mode: rdb\n", "clusterName: legacy-cache\n", "size: db-s-2vcpu-4gb\n", "region: fra1\n", "env: prod\n",
		"- billing\n", "- tag:web\n", "- 203.0.113.5/32\n", "day: sunday\n", `hour: "02:00"`, `version: "8"`} {
		if !strings.Contains(spec, want) {
			t.Errorf("spec lacks %q:\n%s", want, spec)
		}
	}
	if !slices.Contains(e.onlyCluster().Tags, "redisctl-deployment:cache") || len(resp.Warnings) != 1 {
		t.Errorf("cluster not tagged for the deployment: %v, warnings %v", e.onlyCluster().Tags, resp.Warnings)
	}
	if strings.Contains(spec, e.onlyCluster().Password) {
		t.Error("the spec holds the password")
	}
	st := state.New("cache", Name)
	st.Salt = salt
	for _, r := range resp.Resources {
		st.Put(state.Entry{Resource: r})
	}
	if err := (&state.Store{Dir: e.StateDir}).Save(st); err != nil {
		t.Fatal(err)
	}
	e.ExpectClean(spec)
	if n := len(e.fake.Clusters()); n != 1 {
		t.Errorf("%d clusters", n)
	}
}

func TestImportRefusals(t *testing.T) {
	e := newTestEnv(t)
	redis := e.fake.AddCluster(dofake.Cluster{Name: "old", Engine: "redis", Version: "7", Size: "db-s-1vcpu-1gb", Region: "nyc1", NumNodes: 1})
	pg := e.fake.AddCluster(dofake.Cluster{Name: "pg", Engine: "pg", Version: "16", Size: "db-s-1vcpu-1gb", Region: "nyc1", NumNodes: 1})
	fp := func(string) string { return "" }
	cases := []struct {
		req  providers.ImportRequest
		want string
	}{
		{providers.ImportRequest{Deployment: "x", ID: "00000000-0000-4000-8000-000000000000", Fingerprint: fp}, "no database cluster 00000000-0000-4000-8000-000000000000"},
		{providers.ImportRequest{Deployment: "x", ID: redis, Fingerprint: fp}, "retired Redis engine"},
		{providers.ImportRequest{Deployment: "x", ID: pg, Fingerprint: fp}, "is a pg cluster, not Valkey"},
		{providers.ImportRequest{Deployment: "x", ID: pg, Settings: map[string]string{"region": "nyc1"}, Fingerprint: fp}, "takes only endpoint=public|private"},
	}
	for _, c := range cases {
		if _, err := e.prov.Import(context.Background(), c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("import %s: err = %v, want %q", c.req.ID, err, c.want)
		}
	}
}
