package local_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/internal/freeport"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
	"github.com/redisctl/redisctl/providers/local"
)

// TestMain lets this test binary run as redisctl when the local provider
// starts the bundled engine (it runs its own executable as "redisctl server").
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[0] == "redisctl" {
		os.Exit(cmd.Main())
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := freeport.Range(1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConformanceWithBundledEngine runs the suite on `redisctl server` nodes.
func TestConformanceWithBundledEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	base, other := freePort(t), freePort(t)
	var pid string
	info := func(t *testing.T, s *deploy.Session) (string, string) {
		e := s.State.Find("node.node-0")
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + e.Attrs["port"], Password: conformance.Password(), Protocol: 2})
		defer c.Close()
		srv, err := c.Info(context.Background(), "server").Result()
		if err != nil {
			t.Fatal(err)
		}
		mem, err := c.ConfigGet(context.Background(), "maxmemory").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(srv, "\r\n") {
			if v, ok := strings.CutPrefix(line, "process_id:"); ok {
				return v, mem["maxmemory"]
			}
		}
		t.Fatal("INFO server has no process_id")
		return "", ""
	}
	conformance.Run(t, conformance.Harness{
		Name: local.Name,
		New:  func() providers.Provider { return local.New() },
		Spec: fmt.Sprintf("apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: conf-bundled\nmemory: 32Mi\nauth:\n  password: env:%s\nnetwork:\n  basePort: %d\n",
			conformance.PasswordEnv, base),
		Changes: []conformance.Change{
			{
				Name: "memory in place",
				Edit: conformance.Replace("memory: 32Mi", "memory: 48Mi"),
				Want: conformance.Only("node.node-0", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name:          "port replaces, losing data",
				Edit:          conformance.Replace(fmt.Sprintf("basePort: %d", base), fmt.Sprintf("basePort: %d", other)),
				Want:          conformance.Only("node.node-0", providers.ActionReplace, providers.ImpactDataLoss),
				AllowDataLoss: true,
			},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			p, mem := info(t, s)
			switch step {
			case "create":
				pid = p
			case "memory in place":
				if p != pid || mem != fmt.Sprint(48<<20) {
					t.Errorf("pid %s -> %s, maxmemory %s: want the same process with 48Mi", pid, p, mem)
				}
			case "port replaces, losing data":
				if p == pid {
					t.Error("the node was not restarted on the new port")
				}
			}
		},
	})
}
