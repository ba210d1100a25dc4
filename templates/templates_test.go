package templates

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestNodeConfig(t *testing.T) {
	for name, c := range map[string]NodeConfig{
		"node-single": {Deployment: "demo", Name: "node-0", Bind: "127.0.0.1", Port: 7000, Dir: "/srv/demo/node-0/data",
			PIDFile: "/srv/demo/node-0/redis.pid", LogFile: "/srv/demo/node-0/redis.log", MaxMemory: 268435456,
			Policy: "noeviction", Persistence: "none"},
		"node-replica-aof": {Deployment: "demo", Name: "node-1", Bind: "0.0.0.0", Port: 7001, Dir: "/data", LogFile: "",
			MaxMemory: 1 << 30, Policy: "allkeys-lru", Persistence: "aof", Fsync: "everysec",
			Password: `pa"ss\word`, ReplicaOf: "10.0.0.1 7000"},
		"node-cluster-rdb": {Deployment: "demo", Name: "shard-1-0", Bind: "127.0.0.1", Port: 7003, Dir: "/d", LogFile: "/d/log",
			MaxMemory: 1 << 20, Policy: "volatile-ttl", Persistence: "rdb", Cluster: true},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := RenderNodeConfig(c)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".conf", b)
		})
	}
}

func TestSentinelConfig(t *testing.T) {
	b, err := RenderSentinelConfig(SentinelConfig{Deployment: "demo", Name: "sentinel-0", Bind: "127.0.0.1", Port: 7010,
		Dir: "/srv/demo/sentinel-0", PIDFile: "/srv/demo/sentinel-0/redis.pid", LogFile: "/srv/demo/sentinel-0/redis.log",
		MasterName: "demo", PrimaryHost: "127.0.0.1", PrimaryPort: 7000, Quorum: 2, Password: "s3cret", DownAfterMillis: 5000})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sentinel.conf", b)
}
