package azure

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/redisctl/redisctl/providers/azure/armfake"
)

const (
	testSub = "00000000-0000-0000-0000-00000000cafe"
	testRG  = "rg-redis"
	// testSAS is a blob container SAS URL; its signature must never reach
	// state, plans or progress.
	testSAS    = "https://backups.blob.core.windows.net/final?sv=2024-11-04&sp=rwl&sig=TopSecretSignature%3D"
	testSASEnv = "REDISCTL_TEST_AZURE_EXPORT_SAS"
)

// fakeEnv starts a fake ARM endpoint and points the environment at it the
// way the CLI finds it, with millisecond polling.
func fakeEnv(t *testing.T) *armfake.Server {
	t.Helper()
	srv := armfake.New()
	t.Cleanup(srv.Close)
	t.Setenv(EndpointEnv, srv.URL)
	t.Setenv(TestCredentialEnv, "1")
	t.Setenv(SubscriptionEnv, testSub)
	t.Setenv("REDISCTL_POLL_INTERVAL", "2ms")
	t.Setenv(testSASEnv, testSAS)
	return srv
}

// newTestProvider is the provider with SDK retries in milliseconds.
func newTestProvider() *Provider {
	p := New()
	p.Retry = policy.RetryOptions{MaxRetries: 5, RetryDelay: time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}
	return p
}
