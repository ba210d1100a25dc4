package providertest

import (
	"context"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Validate parses spec (a whole spec file) and validates it with p; a spec
// that does not parse, or a Validate error, fails the test.
func Validate(t testing.TB, p providers.Provider, spec string) *providers.ValidateResponse {
	t.Helper()
	s, err := topology.Parse("spec.yaml", []byte(spec))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, spec)
	}
	resp, err := p.Validate(context.Background(), providers.ValidateRequest{Spec: s})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Problem returns resp's problem at path whose message contains text, and
// fails the test, listing every problem, when there is none.
func Problem(t testing.TB, resp *providers.ValidateResponse, path, text string) topology.Problem {
	t.Helper()
	var got []string
	for _, p := range resp.Problems {
		if p.Path == path && strings.Contains(p.Message, text) {
			return p
		}
		got = append(got, p.Path+": "+p.Message)
	}
	t.Fatalf("want a problem at %s containing %q; got:\n%s", path, text, strings.Join(got, "\n"))
	return topology.Problem{}
}
