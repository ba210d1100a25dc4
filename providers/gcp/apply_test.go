package gcp

import (
	"strings"
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"

	"github.com/redisctl/redisctl/providers"
)

func TestCreateReplanDestroyInstance(t *testing.T) {
	e := newEnv(t)
	p := e.plan(singleSpec)
	c := change(t, p, "gcp_redis_instance.cache")
	if c.Action != providers.ActionCreate || len(c.Calls) == 0 || !strings.HasPrefix(c.Calls[0], "CreateInstance(instanceId=cache, tier=BASIC, memorySizeGb=1") {
		t.Fatalf("create change: %+v", c)
	}
	e.mustApply(singleSpec, false)
	in := e.fake.Instance(instanceName)
	if in == nil || in.State != redispb.Instance_READY || in.Tier != redispb.Instance_BASIC || !in.AuthEnabled {
		t.Fatalf("instance after apply: %v", in)
	}
	if got := in.Labels["redisctl-deployment"]; got != "cache" {
		t.Errorf("label redisctl-deployment=%q, want cache", got)
	}
	e.clean(singleSpec, "create")
	auth := e.fake.AuthString(instanceName)
	if auth == "" || strings.Contains(e.stateFiles(), auth) || strings.Contains(e.progress.String(), auth) {
		t.Errorf("AUTH string %q missing or leaked into state/progress", auth)
	}
	if !strings.Contains(e.progress.String(), "creating → ready") {
		t.Errorf("progress does not show the state change:\n%s", e.progress.String())
	}
	e.mustDestroy(singleSpec)
	if got := e.fake.Instances(); len(got) != 0 {
		t.Fatalf("instances left after destroy: %v", got)
	}
	ex := e.fake.Exports()
	if len(ex) != 1 || ex[0].URI != "gs://demo-backups/redis/cache-20260504-030201.rdb" {
		t.Errorf("final snapshot exports: %+v", ex)
	}
}
