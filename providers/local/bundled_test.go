package local_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/cmd"
	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/internal/freeport"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
	"github.com/redisctl/redisctl/providers/local"
	"github.com/redisctl/redisctl/providers/providertest"
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

// TestBundledEngineKeepsData follows one node's data through what the
// local provider does to it: the spec's persistence settings reach its
// config, a killed node is started again on its data directory, in-place
// changes keep the process (and are rewritten into its config file), and
// a replacement with persistence keeps the data.
func TestBundledEngineKeepsData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes; skipped with -short")
	}
	base, other := freePort(t), freePort(t)
	spec := fmt.Sprintf("apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: keep\nmemory: 32Mi\n"+
		"persistence:\n  mode: aof\n  fsync: always\nnetwork:\n  basePort: %d\n", base)
	env := providertest.New(t, local.Name, func() providers.Provider { return local.New() })
	env.MustApply(spec, false)
	t.Cleanup(func() { env.MustDestroy(spec) })
	ctx := context.Background()
	node := func(port int) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), Protocol: 2})
		t.Cleanup(func() { c.Close() })
		return c
	}
	pid := func(c *redis.Client) int {
		t.Helper()
		info, err := c.Info(ctx, "server").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(info, "process_id:")
		n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0]))
		return n
	}
	config := func(c *redis.Client, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if got, err := c.ConfigGet(ctx, k).Result(); err != nil || got[k] != v {
				t.Errorf("CONFIG GET %s = %q (%v), want %q", k, got[k], err, v)
			}
		}
	}
	has := func(c *redis.Client, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if v, err := c.Get(ctx, k).Result(); err != nil || v != k {
				t.Fatalf("GET %s = %q, %v: data lost", k, v, err)
			}
		}
	}
	kill := func(c *redis.Client) {
		t.Helper()
		syscall.Kill(pid(c), syscall.SIGKILL)
		for i := 0; c.Ping(ctx).Err() == nil; i++ {
			if i == 500 {
				t.Fatal("the killed node still answers")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	c := node(base)
	config(c, map[string]string{"appendonly": "yes", "appendfsync": "always", "save": ""})
	c.Set(ctx, "k1", "k1", 0)
	first := pid(c)
	kill(c)
	env.MustApply(spec, false) // the node is down: started again
	has(c, "k1")
	if pid(c) == first {
		t.Fatal("the node was not restarted")
	}

	spec = strings.Replace(spec, "fsync: always", "fsync: everysec", 1)
	before := pid(c)
	env.MustApply(spec, false)
	if pid(c) != before {
		t.Fatal("changing appendfsync restarted the node")
	}
	config(c, map[string]string{"appendfsync": "everysec"})
	c.Set(ctx, "k2", "k2", 0)
	kill(c)
	env.MustApply(spec, false)
	has(c, "k1", "k2")
	config(c, map[string]string{"appendfsync": "everysec"}) // from the rewritten config file

	spec = strings.Replace(spec, "mode: aof\n  fsync: everysec", "mode: rdb", 1)
	before = pid(c)
	env.MustApply(spec, false)
	if pid(c) != before {
		t.Fatal("changing the persistence mode restarted the node")
	}
	config(c, map[string]string{"appendonly": "no", "save": "3600 1 300 100 60 10000"})
	c.Set(ctx, "k3", "k3", 0)

	// A new port replaces the node; the RDB saved at its shutdown moves
	// the data over, so no --allow-data-loss is needed.
	spec = strings.Replace(spec, fmt.Sprintf("basePort: %d", base), fmt.Sprintf("basePort: %d", other), 1)
	p := env.MustApply(spec, false)
	if len(p.Changes) != 1 || p.Changes[0].Impact != providers.ImpactReconnect {
		t.Fatalf("port change plan: %+v", p.Changes)
	}
	has(node(other), "k1", "k2", "k3")
}
