// Package gcp deploys onto Google Cloud Memorystore: layouts single and ha
// become a Memorystore for Redis instance (tier BASIC or STANDARD_HA), layout
// cluster a Memorystore for Redis Cluster. It drives the official gRPC
// clients (cloud.google.com/go/redis apiv1 and cluster/apiv1), polls their
// long-running operations at the deployment's poll interval and journals
// each operation's name, so an interrupted apply resumes waiting instead of
// starting the work again.
package gcp

import (
	"sync"
	"time"

	"cloud.google.com/go/auth"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"

	"github.com/redisctl/redisctl/providers"
)

// Name is the provider's name in specs.
const Name = "gcp"

// Environment variables that point the provider elsewhere (tests, emulators).
const (
	// EndpointEnv overrides the Memorystore API endpoint (host:port).
	EndpointEnv = "REDISCTL_GCP_ENDPOINT"
	// InsecureEnv=1 talks plaintext gRPC without credentials to EndpointEnv.
	InsecureEnv = "REDISCTL_GCP_INSECURE"
)

// Provider is the gcp provider.
type Provider struct {
	// ClientOptions, when set, replace the endpoint and credentials taken
	// from the environment (tests pass the fake's address here).
	ClientOptions []option.ClientOption
	// Backoff spaces retries of throttled or failed calls; MaxAttempts
	// bounds how often one call is tried.
	Backoff     gax.Backoff
	MaxAttempts int
	// Now stamps final snapshot names (tests fix it).
	Now func() time.Time

	credsMu sync.Mutex
	creds   *auth.Credentials
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Importer = (*Provider)(nil)
)

// New returns the provider. It does no I/O: credentials are looked up on
// the first API call.
func New() *Provider {
	return &Provider{
		Backoff:     gax.Backoff{Initial: time.Second, Max: 30 * time.Second, Multiplier: 2},
		MaxAttempts: 8,
		Now:         time.Now,
	}
}
