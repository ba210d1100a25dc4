package gcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/gcp/memorystorefake"
)

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail("CreateInstance", 2, memorystorefake.RateLimited())
	e.fake.Fail("GetOperation", 2, memorystorefake.Unavailable())
	e.fake.Fail("GetInstance", 1, memorystorefake.Internal())
	e.MustApply(singleSpec, false)
	if n := e.fake.Calls("CreateInstance"); n != 3 {
		t.Errorf("CreateInstance called %d times, want 3 (two throttled, then accepted)", n)
	}
	oneInstance(t, e.fake)
	e.ExpectClean(singleSpec)
}

func TestRetriesAreBounded(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail("CreateInstance", 100, memorystorefake.Unavailable())
	_, err := e.Run(context.Background(), singleSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "Unavailable") {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Calls("CreateInstance"); n != New().MaxAttempts {
		t.Errorf("CreateInstance tried %d times, want %d", n, New().MaxAttempts)
	}
}

func TestQuotaErrorIsClearAndNotRetried(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail("CreateInstance", 5, memorystorefake.QuotaExceeded())
	_, err := e.Run(context.Background(), singleSpec, false, false)
	if err == nil {
		t.Fatal("apply succeeded over quota")
	}
	for _, want := range []string{"quota or capacity limit reached", "RedisTotalGbPerRegion", "request more quota"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if n := e.fake.Calls("CreateInstance"); n != 1 {
		t.Errorf("quota error retried: %d calls", n)
	}
}

func TestValidationErrorNamesTheField(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail("CreateInstance", 1, memorystorefake.Invalid("instance.authorized_network", "network projects/demo-project/global/networks/default has no private services access connection"))
	_, err := e.Run(context.Background(), singleSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "rejected the request (field instance.authorized_network)") || !strings.Contains(err.Error(), "change the spec or provider settings") {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Calls("CreateInstance"); n != 1 {
		t.Errorf("validation error retried: %d calls", n)
	}
}

func TestBusyInstanceError(t *testing.T) {
	e := newEnv(t)
	e.MustApply(singleSpec, false)
	e.fake.ModifyInstance(instanceName, func(in *redispb.Instance) { in.Labels["x"] = "y" })
	// The fake refuses an update while another operation runs; the plan
	// already waits for a busy instance, so provoke it directly.
	e.fake.Fail("UpdateInstance", 1, status.Error(codes.FailedPrecondition, "The resource is in state UPDATING and cannot be modified until the operation in progress finishes"))
	_, err := e.Run(context.Background(), singleSpec, false, false)
	if err == nil || !strings.Contains(err.Error(), "wait for the operation in progress") {
		t.Fatalf("err = %v", err)
	}
}

func TestCredentialsErrorNamesWhatToSet(t *testing.T) {
	t.Setenv(EndpointEnv, "")
	t.Setenv(InsecureEnv, "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	_, err := New().connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GOOGLE_APPLICATION_CREDENTIALS") || !strings.Contains(err.Error(), "service-account key file") {
		t.Fatalf("err = %v", err)
	}
	if got := credentialsError(os.ErrNotExist).Error(); !strings.Contains(got, "GOOGLE_APPLICATION_CREDENTIALS") {
		t.Errorf("message: %s", got)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	if got := credentialsError(os.ErrNotExist).Error(); !strings.Contains(got, "gcloud auth application-default login") {
		t.Errorf("message without the variable: %s", got)
	}
	t.Setenv(InsecureEnv, "1")
	if _, err := New().connect(context.Background()); err == nil || !strings.Contains(err.Error(), EndpointEnv) {
		t.Errorf("insecure without endpoint: %v", err)
	}
}

// TestPlanNeedsNoCredentials: validate and a plan from empty state make no
// API call, so they work with no credentials at all.
func TestPlanNeedsNoCredentials(t *testing.T) {
	e := newEnv(t)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	e.Registry = providers.NewRegistry()
	e.Registry.Register(Name, func() providers.Provider { return New() })
	p := e.Plan(singleSpec)
	if p.Empty() {
		t.Fatal("empty plan")
	}
}
