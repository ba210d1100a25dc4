package gcp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// testProvider is the provider pointed at a fake, with millisecond retries.
func testProvider(f *memorystorefake.Server) *Provider {
	p := New()
	p.ClientOptions = []option.ClientOption{
		option.WithEndpoint(f.Addr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
	p.Backoff = gax.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Multiplier: 2}
	p.Now = func() time.Time { return time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC) }
	return p
}

// env is one deployment driven through redisctl's real flow against a fake.
type env struct {
	*providertest.Env
	t    *testing.T
	fake *memorystorefake.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	t.Setenv(deploy.PollIntervalEnv, "2ms")
	f := memorystorefake.Start(t)
	pe := providertest.New(t, Name, func() providers.Provider { return testProvider(f) })
	return &env{Env: pe, t: t, fake: f}
}

// stateFiles returns everything under the state directory but generated secrets.
func (e *env) stateFiles() string {
	var b strings.Builder
	filepath.Walk(e.StateDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

const singleSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: cache
layout: single
memory: 1Gi
labels:
  team: web
provider:
  name: gcp
  project: demo-project
  authEnabled: true
  region: us-central1
  finalSnapshotBucket: gs://demo-backups/redis
`

const instanceName = "projects/demo-project/locations/us-central1/instances/cache"
