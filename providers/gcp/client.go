package gcp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	redis "cloud.google.com/go/redis/apiv1"
	cluster "cloud.google.com/go/redis/cluster/apiv1"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// clients are the API clients one provider call uses; close releases them.
type clients struct {
	redis   *redis.CloudRedisClient
	cluster *cluster.CloudRedisClusterClient
	// opts apply the retry policy to every call and poll.
	opts []gax.CallOption
}

func (c *clients) close() {
	c.redis.Close()
	c.cluster.Close()
}

// connect builds the clients. Credentials are looked up once, on the first
// call that needs them.
func (p *Provider) connect(ctx context.Context) (*clients, error) {
	opts, err := p.clientOptions()
	if err != nil {
		return nil, err
	}
	rc, err := redis.NewCloudRedisClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("memorystore client: %w", err)
	}
	cc, err := cluster.NewCloudRedisClusterClient(ctx, opts...)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("memorystore cluster client: %w", err)
	}
	return &clients{redis: rc, cluster: cc, opts: []gax.CallOption{gax.WithRetry(p.retryer)}}, nil
}

func (p *Provider) clientOptions() ([]option.ClientOption, error) {
	if p.ClientOptions != nil {
		return p.ClientOptions, nil
	}
	endpoint := os.Getenv(EndpointEnv)
	switch os.Getenv(InsecureEnv) {
	case "", "0", "false":
	case "1", "true":
		if endpoint == "" {
			return nil, fmt.Errorf("%s is set but %s is not: name the plaintext endpoint to use (host:port)", InsecureEnv, EndpointEnv)
		}
		return []option.ClientOption{
			option.WithEndpoint(endpoint),
			option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		}, nil
	default:
		return nil, fmt.Errorf("%s=%q: want 1 or 0", InsecureEnv, os.Getenv(InsecureEnv))
	}
	creds, err := p.credentials()
	if err != nil {
		return nil, err
	}
	opts := []option.ClientOption{option.WithAuthCredentials(creds)}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint))
	}
	return opts, nil
}

// credentials finds Application Default Credentials, once.
func (p *Provider) credentials() (*auth.Credentials, error) {
	p.credsMu.Lock()
	defer p.credsMu.Unlock()
	if p.creds != nil {
		return p.creds, nil
	}
	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{"https://www.googleapis.com/auth/cloud-platform"}})
	if err != nil {
		return nil, credentialsError(err)
	}
	p.creds = creds
	return creds, nil
}

func credentialsError(err error) error {
	if f := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" {
		return fmt.Errorf("no usable Google Cloud credentials: GOOGLE_APPLICATION_CREDENTIALS=%s: %w; point it at a service-account key file or unset it", f, err)
	}
	return fmt.Errorf("no Google Cloud credentials found (Application Default Credentials): run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (%w)", err)
}

// retryer retries throttled and transiently failed calls with backoff, at
// most MaxAttempts times. Quota and validation errors are not retried.
func (p *Provider) retryer() gax.Retryer {
	return &retryer{bo: p.Backoff, left: max(p.MaxAttempts, 1) - 1}
}

type retryer struct {
	bo   gax.Backoff
	left int
}

func (r *retryer) Retry(err error) (time.Duration, bool) {
	if r.left <= 0 || !retryable(err) {
		return 0, false
	}
	r.left--
	return r.bo.Pause(), true
}

func retryable(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch st.Code() {
	case codes.Unavailable, codes.Internal:
		return true
	case codes.ResourceExhausted:
		return throttled(st)
	}
	return false
}

// throttled tells a request-rate limit (wait and retry) from an exhausted
// quota or capacity limit (waiting does not help).
func throttled(st *status.Status) bool {
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if d.GetReason() == "RATE_LIMIT_EXCEEDED" {
				return true
			}
		case *errdetails.QuotaFailure:
			return false
		}
	}
	return strings.Contains(st.Message(), "per minute")
}

// explain turns an API error into one that says what to change.
func explain(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	msg := st.Message()
	switch st.Code() {
	case codes.Canceled:
		return fmt.Errorf("%s: %w", what, context.Canceled)
	case codes.ResourceExhausted:
		if throttled(st) {
			return fmt.Errorf("%s: still throttled after retries (%s); run apply again later: %w", what, msg, err)
		}
		return fmt.Errorf("%s: Memorystore quota or capacity limit reached (%s): request more quota at https://console.cloud.google.com/iam-admin/quotas, or ask for less memory, fewer replicas or shards: %w", what, msg, err)
	case codes.InvalidArgument:
		field := ""
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
				field = " (field " + br.GetFieldViolations()[0].GetField() + ")"
			}
		}
		return fmt.Errorf("%s: Memorystore rejected the request%s: %s; change the spec or provider settings: %w", what, field, msg, err)
	case codes.PermissionDenied:
		return fmt.Errorf("%s: permission denied (%s): the credentials need the Cloud Memorystore Redis Admin role (roles/redis.admin) on the project: %w", what, msg, err)
	case codes.Unauthenticated:
		return fmt.Errorf("%s: the credentials were rejected (%s): run `gcloud auth application-default login` or check GOOGLE_APPLICATION_CREDENTIALS: %w", what, msg, err)
	case codes.FailedPrecondition:
		return fmt.Errorf("%s: %s; wait for the operation in progress to finish and run apply again: %w", what, msg, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func isNotFound(err error) bool { return status.Code(err) == codes.NotFound }

func isAlreadyExists(err error) bool { return status.Code(err) == codes.AlreadyExists }
