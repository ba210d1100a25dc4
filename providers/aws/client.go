package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/smithy-go"

	"github.com/redisctl/redisctl/providers"
)

// api returns the ElastiCache client for the deployment's region, loading
// the AWS configuration and credentials on first use.
func (p *Provider) api(ctx context.Context, d providers.Deployment) (*elasticache.Client, error) {
	return p.clientFor(ctx, settings(d.Spec).Region, d.PollInterval)
}

func (p *Provider) clientFor(ctx context.Context, region string, poll time.Duration) (*elasticache.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[region]; ok {
		return c, nil
	}
	load := p.LoadConfig
	if load == nil {
		load = loadDefaultConfig
	}
	cfg, err := load(ctx, region)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set provider.region in the spec, or AWS_REGION (or a region in ~/.aws/config)")
	}
	if cfg.Credentials == nil {
		return nil, errNoCredentials(nil)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, errNoCredentials(err)
	}
	attempts := p.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	backoff := retryBackoff(poll)
	c := elasticache.NewFromConfig(cfg, func(o *elasticache.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = backoff
			// Long applies poll for minutes: a client-side retry budget
			// would turn a burst of throttling into a failed apply.
			so.RateLimiter = ratelimit.None
		})
	})
	if p.clients == nil {
		p.clients = map[string]*elasticache.Client{}
	}
	p.clients[region] = c
	return c, nil
}

func loadDefaultConfig(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// retryBackoff bounds the delay between retries of a throttled call: the
// SDK's 20s, or the poll interval when that is shorter (tests poll in
// milliseconds).
func retryBackoff(poll time.Duration) time.Duration {
	const sdkMax = 20 * time.Second
	if poll > 0 && poll < sdkMax {
		return poll
	}
	return sdkMax
}

func errNoCredentials(err error) error {
	msg := "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE naming a profile in ~/.aws/config, or run where an instance or task role is available"
	if err != nil {
		return fmt.Errorf("%s (%v)", msg, err)
	}
	return errors.New(msg)
}

// errorCode returns the AWS error code of err ("" when it is not an API error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// explain wraps an API error with what the user can do about it.
func explain(op string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, err)
	}
	hint := ""
	switch code := ae.ErrorCode(); {
	case code == "NodeQuotaForClusterExceeded":
		hint = "the replication group would have more nodes than your nodes-per-cluster quota (90 by default): lower shards or replicas, or request an increase in Service Quotas (Amazon ElastiCache → Nodes per cluster)"
	case code == "NodeQuotaForCustomerExceeded":
		hint = "your account has reached its ElastiCache nodes-per-region quota: delete unused clusters or request an increase in Service Quotas (Amazon ElastiCache → Nodes per Region)"
	case code == "ClusterQuotaForCustomerExceeded", code == "NodeGroupsPerReplicationGroupQuotaExceeded", code == "CacheParameterGroupQuotaExceeded", code == "CacheSubnetGroupQuotaExceeded":
		hint = "an ElastiCache quota is reached: delete unused resources or request an increase in Service Quotas (Amazon ElastiCache)"
	case code == "InsufficientCacheClusterCapacity":
		hint = "AWS has no capacity for this node type in the chosen zones right now: pick another provider.nodeType or other zones, or retry later"
	case code == "InvalidParameterValue", code == "InvalidParameterCombination":
		hint = "ElastiCache rejected the request; change the spec fields it names"
	case code == "CacheSubnetGroupNotFoundFault":
		hint = "check provider.subnetGroup names an existing cache subnet group in this region"
	case code == "InvalidSubnet", code == "SubnetNotAllowedFault":
		hint = "check provider.subnetIds name subnets of one VPC in this region"
	case code == "InvalidVPCNetworkStateFault":
		hint = "check provider.securityGroupIds belong to the subnets' VPC"
	case strings.Contains(code, "AccessDenied"), code == "UnauthorizedOperation", code == "InvalidClientTokenId", code == "SignatureDoesNotMatch", code == "UnrecognizedClientException", code == "ExpiredToken":
		hint = "AWS refused the credentials: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and that they allow elasticache:* actions"
	}
	if hint == "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w\n  → %s", op, err, hint)
}
