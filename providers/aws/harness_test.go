package aws

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/aws/elasticachefake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// harness drives the provider through redisctl's real flow (deploy.Session)
// against a fake ElastiCache.
type harness struct {
	*providertest.Env
	f *elasticachefake.Server
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env := providertest.New(t, Name, func() providers.Provider { return New() })
	return &harness{Env: env, f: useFake(t)}
}

func attr(c providers.Change, name string) *providers.AttrChange {
	for i := range c.Attrs {
		if c.Attrs[i].Name == name {
			return &c.Attrs[i]
		}
	}
	return nil
}

// actionsSince lists the mutating calls the fake answered after mark.
func actionsSince(f *elasticachefake.Server, mark int) []string {
	a := f.Actions()
	if mark > len(a) {
		return nil
	}
	return a[mark:]
}

// spec is a small spec builder: the base single-node spec with edits.
func spec(edits ...string) string {
	s := `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: unit
layout: single
memory: 512Mi
auth:
  password: env:UNIT_PASSWORD
tls:
  enabled: true
engine:
  name: redis
  version: "7.1"
provider:
  name: aws
`
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			panic("spec edit: no " + edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}
