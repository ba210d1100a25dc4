package local

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/internal/freeport"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
)

// freeBase finds a base port with n free ports after it.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	base, err := freeport.Range(n)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func redisServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (make test installs Debian's redis-server)")
	}
	return bin
}

// nodeInfo reads a node's pid and a config value over the wire.
func nodeInfo(t *testing.T, s *deploy.Session, name, param string) (pid, value string) {
	t.Helper()
	e := s.State.Find("node." + name)
	if e == nil {
		t.Fatalf("node.%s not in state", name)
	}
	port, _ := strconv.Atoi(e.Attrs["port"])
	c := dial("127.0.0.1", port, conformance.Password())
	defer c.Close()
	info, err := c.Info(context.Background(), "server").Result()
	if err != nil {
		t.Fatalf("INFO on %s: %v", name, err)
	}
	v, err := configGet(context.Background(), c, param)
	if err != nil {
		t.Fatal(err)
	}
	return infoFields(info)["process_id"], v
}

func TestConformanceWithRedisServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	bin := redisServer(t)
	base := freeBase(t, 4)
	other := freeBase(t, 4)
	var pidBefore string
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return New() },
		Spec: fmt.Sprintf(`apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-local
layout: single
memory: 64Mi
auth:
  password: env:%s
network:
  basePort: %d
provider:
  name: local
  engineBinary: %s
`, conformance.PasswordEnv, base, bin),
		Changes: []conformance.Change{
			{
				Name: "memory in place",
				Edit: conformance.Replace("memory: 64Mi", "memory: 128Mi"),
				Want: conformance.Only("node.node-0", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "eviction policy in place",
				Edit: conformance.Replace("memory: 128Mi", "memory: 128Mi\nevictionPolicy: allkeys-lru"),
				Want: conformance.Only("node.node-0", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "persistence in place",
				Edit: conformance.Replace("evictionPolicy: allkeys-lru", "evictionPolicy: allkeys-lru\npersistence:\n  mode: aof\n  fsync: always"),
				Want: conformance.Only("node.node-0", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "port replaces",
				Edit: conformance.Replace(fmt.Sprintf("basePort: %d", base), fmt.Sprintf("basePort: %d", other)),
				// persistence is aof now, so the data survives the restart.
				Want: conformance.Only("node.node-0", providers.ActionReplace, providers.ImpactReconnect),
			},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			pid, maxmem := nodeInfo(t, s, "node-0", "maxmemory")
			switch step {
			case "create":
				pidBefore = pid
				if maxmem != strconv.Itoa(64<<20) {
					t.Errorf("maxmemory %s, want 64Mi", maxmem)
				}
			case "memory in place":
				if pid != pidBefore {
					t.Errorf("pid changed %s -> %s: the update restarted the node", pidBefore, pid)
				}
				if maxmem != strconv.Itoa(128<<20) {
					t.Errorf("maxmemory %s, want 128Mi", maxmem)
				}
			case "eviction policy in place", "persistence in place":
				if pid != pidBefore {
					t.Errorf("pid changed %s -> %s: the update restarted the node", pidBefore, pid)
				}
			case "port replaces":
				if pid == pidBefore {
					t.Error("port change did not restart the node")
				}
			}
		},
		Gone: func(t *testing.T) {
			for _, p := range []int{base, other} {
				if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
					c.Close()
					t.Errorf("something still listens on %d after destroy", p)
				}
			}
		},
	})
}
