package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redis/armredis/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/redisenterprise/armredisenterprise"
)

// Environment variables the provider reads.
const (
	// EndpointEnv overrides the Azure Resource Manager endpoint (tests point
	// it at a fake). http:// is accepted for loopback hosts only.
	EndpointEnv = "REDISCTL_AZURE_ENDPOINT"
	// TestCredentialEnv=1 uses a fixed bearer token instead of
	// DefaultAzureCredential; it needs EndpointEnv (it is for fakes only).
	TestCredentialEnv = "REDISCTL_AZURE_TEST_CREDENTIAL"
	// SubscriptionEnv is the subscription when provider.subscription is unset.
	SubscriptionEnv = "AZURE_SUBSCRIPTION_ID"
)

// managedAPIVersion is the redisenterprise API version redisctl speaks.
// armredisenterprise v1.2.0 was generated from 2022-01-01, which predates
// Azure Managed Redis (its SKUs, highAvailability, publicNetworkAccess,
// accessKeysAuthentication): the client is pinned to the Managed Redis API
// version and the properties its models lack travel through extraProps.
const managedAPIVersion = "2025-07-01"

// clients are the SDK clients for one subscription.
type clients struct {
	subscription string
	clusters     *armredisenterprise.Client
	databases    *armredisenterprise.DatabasesClient
	caches       *armredis.Client
}

// subscription is the subscription a spec deploys to.
func (p *Provider) subscription(s Settings) (string, error) {
	if s.Subscription != "" {
		return s.Subscription, nil
	}
	if v := p.Getenv(SubscriptionEnv); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("no Azure subscription: set provider.subscription or %s", SubscriptionEnv)
}

// clientsFor builds (once) the clients for a subscription; credentials are
// loaded here, on first use.
func (p *Provider) clientsFor(sub string) (*clients, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[sub]; ok {
		return c, nil
	}
	endpoint, cfg, err := p.cloud()
	if err != nil {
		return nil, err
	}
	cred, err := p.credential(cfg)
	if err != nil {
		return nil, err
	}
	opts := func(apiVersion string) *arm.ClientOptions {
		return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
			Cloud:                           cfg,
			Retry:                           p.Retry,
			APIVersion:                      apiVersion,
			InsecureAllowCredentialWithHTTP: endpoint.Scheme == "http",
			PerCallPolicies:                 []policy.Policy{extraPropsPolicy{}},
			Telemetry:                       policy.TelemetryOptions{ApplicationID: "redisctl"},
		}}
	}
	c := &clients{subscription: sub}
	if c.clusters, err = armredisenterprise.NewClient(sub, cred, opts(managedAPIVersion)); err != nil {
		return nil, err
	}
	if c.databases, err = armredisenterprise.NewDatabasesClient(sub, cred, opts(managedAPIVersion)); err != nil {
		return nil, err
	}
	if c.caches, err = armredis.NewClient(sub, cred, opts("")); err != nil {
		return nil, err
	}
	if p.clients == nil {
		p.clients = map[string]*clients{}
	}
	p.clients[sub] = c
	return c, nil
}

// cloud is Azure public cloud, with Resource Manager at EndpointEnv when set.
func (p *Provider) cloud() (*url.URL, cloud.Configuration, error) {
	cfg := cloud.AzurePublic
	raw := p.Getenv(EndpointEnv)
	if raw == "" {
		u, _ := url.Parse(cfg.Services[cloud.ResourceManager].Endpoint)
		return u, cfg, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, cfg, fmt.Errorf("%s=%q: want an https:// URL", EndpointEnv, raw)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, cfg, fmt.Errorf("%s=%q: http:// is allowed for 127.0.0.1 and localhost only (tokens would travel in clear)", EndpointEnv, raw)
	}
	rm := cfg.Services[cloud.ResourceManager]
	rm.Endpoint = raw
	cfg.Services = map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: rm}
	return u, cfg, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// credential is the configured credential, the test credential, or
// DefaultAzureCredential (environment, workload identity, managed identity,
// Azure CLI, Azure Developer CLI).
func (p *Provider) credential(cfg cloud.Configuration) (azcore.TokenCredential, error) {
	if p.Credential != nil {
		return p.Credential, nil
	}
	if p.cred != nil {
		return p.cred, nil
	}
	if p.Getenv(TestCredentialEnv) == "1" {
		if p.Getenv(EndpointEnv) == "" {
			return nil, fmt.Errorf("%s=1 is for tests against a local fake: set %s too", TestCredentialEnv, EndpointEnv)
		}
		p.cred = testCredential{}
		return p.cred, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: policy.ClientOptions{Cloud: cfg},
	})
	if err != nil {
		return nil, fmt.Errorf("azure credentials: %w\n%s", err, credentialHint)
	}
	p.cred = hintedCredential{cred}
	return p.cred, nil
}

const credentialHint = "redisctl uses DefaultAzureCredential: sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), or run with a managed or workload identity"

// hintedCredential says what to set when no credential works.
type hintedCredential struct{ azcore.TokenCredential }

func (c hintedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	if err != nil {
		return tok, &credentialError{err}
	}
	return tok, nil
}

type credentialError struct{ err error }

func (e *credentialError) Error() string {
	return "no usable Azure credentials: " + e.err.Error() + "\n" + credentialHint
}
func (e *credentialError) Unwrap() error { return e.err }

// testCredential is a fixed token for fakes (TestCredentialEnv).
type testCredential struct{}

func (testCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "redisctl-test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// extraProps are request body properties the SDK's models do not know.
type extraPropsKey struct{}

// withExtraProps makes the request sent with ctx carry these properties in
// its body's "properties" object.
func withExtraProps(ctx context.Context, props map[string]any) context.Context {
	return context.WithValue(ctx, extraPropsKey{}, props)
}

// extraPropsPolicy merges the context's extra properties into the JSON body.
type extraPropsPolicy struct{}

func (extraPropsPolicy) Do(req *policy.Request) (*http.Response, error) {
	extra, _ := req.Raw().Context().Value(extraPropsKey{}).(map[string]any)
	if len(extra) == 0 || req.Body() == nil {
		return req.Next()
	}
	raw, err := io.ReadAll(req.Body())
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, fmt.Errorf("add properties to request body: %w", err)
	}
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	for k, v := range extra {
		props[k] = v
	}
	body["properties"] = props
	out, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if err := req.SetBody(streaming.NopCloser(bytes.NewReader(out)), "application/json"); err != nil {
		return nil, err
	}
	return req.Next()
}

// rawProperties reads the "properties" object of a captured response, for
// the fields the SDK's models drop.
func rawProperties(resp *http.Response) map[string]any {
	if resp == nil {
		return nil
	}
	b, err := runtime.Payload(resp)
	if err != nil {
		return nil
	}
	var v struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(b, &v)
	return v.Properties
}

func propString(props map[string]any, key, def string) string {
	if s, ok := props[key].(string); ok && s != "" {
		return s
	}
	return def
}

// notFound reports whether err is ARM's 404.
func notFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// explain turns an ARM error into one that says what to change.
func explain(what string, err error) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w", what, err)
	}
	msg := armMessage(re)
	switch re.ErrorCode {
	case "QuotaExceeded", "SubscriptionQuotaExceeded", "OperationNotAllowed":
		return fmt.Errorf("%s: Azure quota exceeded (%s: %s): request more Azure Managed Redis quota for this region (portal → Quotas), or pick a smaller SKU or another provider.location", what, re.ErrorCode, msg)
	case "ResourceGroupNotFound":
		return fmt.Errorf("%s: %s: create the resource group (az group create) or fix provider.resourceGroup", what, msg)
	case "SubscriptionNotFound", "InvalidSubscriptionId":
		return fmt.Errorf("%s: %s: fix provider.subscription or %s", what, msg, SubscriptionEnv)
	case "AuthorizationFailed", "LinkedAuthorizationFailed":
		return fmt.Errorf("%s: %s: give the credential the Contributor role (or Redis Cache Contributor) on the resource group", what, msg)
	case "InvalidParameter", "BadRequest", "InvalidRequestContent", "LocationRequired", "LocationNotAvailableForResourceType", "SkuNotAvailable":
		return fmt.Errorf("%s: Azure rejected the request (%s: %s); change the spec or provider settings it names and plan again", what, re.ErrorCode, msg)
	}
	if re.ErrorCode == "" {
		return fmt.Errorf("%s: HTTP %d: %s", what, re.StatusCode, msg)
	}
	return fmt.Errorf("%s: %s: %s", what, re.ErrorCode, msg)
}

// armMessage is the message of an ARM error body.
func armMessage(re *azcore.ResponseError) string {
	if re.RawResponse != nil {
		if b, err := runtime.Payload(re.RawResponse); err == nil {
			var v struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(b, &v) == nil && v.Error.Message != "" {
				return v.Error.Message
			}
		}
	}
	return http.StatusText(re.StatusCode)
}
