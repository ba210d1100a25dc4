package digitalocean

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryTransport retries requests DigitalOcean throttled (429) or failed
// with a server error (500, 502, 503, 504), with exponential backoff that
// honours Retry-After and the RateLimit-Reset header.
//
// A 429 means the request was not processed, so every request is retried.
// After a 5xx the request may have taken effect: requests that are safe to
// repeat are retried, but creating a database cluster (POST /v2/databases)
// is not — the provider looks the cluster up by name first, so a cluster
// that was created despite the error is adopted instead of duplicated.
type retryTransport struct {
	base          http.RoundTripper
	max           int
	wait, maxWait time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		resp, err := t.base.RoundTrip(req)
		if attempt >= t.max || !t.retryable(req, resp, err) {
			return resp, err
		}
		delay := t.delay(attempt, resp)
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		timer := time.NewTimer(delay)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

func (t *retryTransport) retryable(req *http.Request, resp *http.Response, err error) bool {
	if req.Context().Err() != nil {
		return false
	}
	if req.Body != nil && req.GetBody == nil {
		return false // the body cannot be sent again
	}
	if err != nil {
		return repeatable(req)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return repeatable(req)
	}
	return false
}

// repeatable reports whether sending req twice does no more than once.
func repeatable(req *http.Request) bool {
	return !(req.Method == http.MethodPost && strings.TrimSuffix(req.URL.Path, "/") == "/v2/databases")
}

// delay is how long to wait before attempt+1.
func (t *retryTransport) delay(attempt int, resp *http.Response) time.Duration {
	d := t.wait << attempt
	if d <= 0 || d > t.maxWait {
		d = t.maxWait
	}
	if resp == nil {
		return d
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, t.maxWait)
		}
		if at, err := http.ParseTime(ra); err == nil {
			return min(max(time.Until(at), 0), t.maxWait)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Ratelimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("Ratelimit-Reset"), 10, 64); err == nil {
			if until := time.Until(time.Unix(reset, 0)); until > d {
				return min(until, t.maxWait)
			}
		}
	}
	return d
}
