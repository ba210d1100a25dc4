package digitalocean

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// api returns the godo client, building it on first use from the
// environment: the token from DIGITALOCEAN_TOKEN (or
// DIGITALOCEAN_ACCESS_TOKEN), the endpoint from REDISCTL_DIGITALOCEAN_ENDPOINT.
func (p *Provider) api() (*godo.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil {
		return p.client, nil
	}
	getenv := p.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	token := strings.TrimSpace(getenv(EnvToken))
	if token == "" {
		token = strings.TrimSpace(getenv(EnvAccessToken))
	}
	if token == "" {
		return nil, fmt.Errorf("no DigitalOcean API token: set %s (or %s) to a personal access token with read and write scope (https://cloud.digitalocean.com/account/api/tokens)", EnvToken, EnvAccessToken)
	}
	endpoint := getenv(EnvEndpoint)
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	// Retries sit under the oauth2 transport, so a retried request carries
	// the same Authorization header. godo's own retry option replaces the
	// HTTP client and is not used.
	rt := &retryTransport{base: http.DefaultTransport, max: p.RetryMax, wait: p.RetryWait, maxWait: p.RetryMaxWait}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: rt})
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, godo.SetBaseURL(endpoint), godo.SetUserAgent("redisctl"))
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", EnvEndpoint, endpoint, err)
	}
	p.client = c
	return c, nil
}

// apiError explains a failed API call: what was refused and what to change.
func apiError(op string, err error) error {
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	status := er.Response.StatusCode
	detail := er.Message
	if er.RequestID != "" {
		detail += " (request " + er.RequestID + ")"
	}
	switch {
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%s: DigitalOcean rejected the API token (401 %s): check %s", op, detail, EnvToken)
	case status == http.StatusForbidden:
		return fmt.Errorf("%s: the API token may not do this (403 %s): use a token with write scope for databases and tags", op, detail)
	case status == http.StatusUnprocessableEntity:
		return fmt.Errorf("%s: DigitalOcean refused the request (422 %s); check provider.region, provider.size/memory and the account's database cluster limit", op, detail)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%s: still rate limited by DigitalOcean after retrying (429 %s); wait a minute and run the command again", op, detail)
	case status >= 500:
		return fmt.Errorf("%s: DigitalOcean API error after retrying (%d %s); run the command again to continue", op, status, detail)
	}
	return fmt.Errorf("%s: %d %s", op, status, detail)
}

// notFound reports whether err is the API's 404.
func notFound(err error) bool {
	var er *godo.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// serverError reports whether err is a 5xx the transport did not retry.
func serverError(err error) bool {
	var er *godo.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode >= 500
}
