package deploy

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Outputs is what `redisctl output` prints: how to reach the deployment.
type Outputs struct {
	Deployment string               `json:"deployment"`
	Provider   string               `json:"provider"`
	Layout     topology.Layout      `json:"layout"`
	Endpoints  []providers.Endpoint `json:"endpoints"`
	// URL connects to the primary (or the cluster's configuration endpoint).
	URL string `json:"url"`
	// SentinelURL lists the sentinels (ha layouts that run sentinels).
	SentinelURL string `json:"sentinel_url,omitempty"`
	// Password is redacted unless secrets were asked for.
	Password string `json:"password,omitempty"`
	TLS      bool   `json:"tls"`
}

// redacted stands in for secrets in outputs.
const redacted = "REDACTED"

// Outputs builds the outputs from state (no refresh). The password is
// resolved only when showSecrets is set.
func (s *Session) Outputs(ctx context.Context, showSecrets bool) (*Outputs, error) {
	if s.State.Empty() {
		return nil, fmt.Errorf("deployment %q has not been applied (no state in %s): run `redisctl apply -f %s` first", s.Spec.Name, s.Store.Dir, s.SpecFile)
	}
	o := &Outputs{Deployment: s.Spec.Name, Provider: s.Spec.Provider.Name, Layout: s.Spec.Layout, TLS: s.Spec.TLS.Enabled, Endpoints: []providers.Endpoint{}}
	for _, e := range s.State.Resources {
		o.Endpoints = append(o.Endpoints, e.Endpoints...)
	}
	sort.SliceStable(o.Endpoints, func(i, j int) bool { return roleRank(o.Endpoints[i].Role) < roleRank(o.Endpoints[j].Role) })

	password := ""
	reader, serviceMade := s.Provider.(providers.PasswordReader)
	switch {
	case s.Spec.Auth.Password.Source != topology.SecretNone:
		password = redacted
		if showSecrets {
			sec, _, err := s.secrets(false)
			if err != nil {
				return nil, err
			}
			password = sec.Password
		}
	case serviceMade && hasPassword(s.Provider, s.State.Settled()):
		password = redacted
		if showSecrets {
			var err error
			password, err = reader.ConnectionPassword(ctx, providers.StatusRequest{Deployment: s.deployment(), Resources: s.State.Settled()})
			if err != nil {
				return nil, fmt.Errorf("read the service's password: %w", err)
			}
		}
	}
	o.Password = password
	scheme := "redis"
	if o.TLS {
		scheme = "rediss"
	}
	var sentinels []string
	for _, ep := range o.Endpoints {
		switch ep.Role {
		case "configuration", "primary":
			if o.URL == "" {
				o.URL = redisURL(scheme, password, ep)
			}
		case "sentinel":
			sentinels = append(sentinels, net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)))
		}
	}
	if len(sentinels) > 0 {
		u := url.URL{Scheme: scheme + "+sentinel", Host: strings.Join(sentinels, ","), Path: "/" + s.Nodes.MasterName}
		if password != "" {
			u.User = url.UserPassword("", password)
		}
		o.SentinelURL = u.String()
	}
	return o, nil
}

func redisURL(scheme, password string, ep providers.Endpoint) string {
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port))}
	if password != "" {
		u.User = url.UserPassword("", password)
	}
	return u.String()
}

func roleRank(role string) int {
	switch role {
	case "configuration":
		return 0
	case "primary":
		return 1
	case "reader":
		return 2
	case "replica":
		return 3
	case "sentinel":
		return 4
	}
	return 5
}

// Status asks the provider for the health of every node.
func (s *Session) Status(ctx context.Context) (*providers.StatusResponse, error) {
	if s.State.Empty() {
		return nil, fmt.Errorf("deployment %q has not been applied (no state in %s): run `redisctl apply -f %s` first", s.Spec.Name, s.Store.Dir, s.SpecFile)
	}
	secrets, _, err := s.secrets(false)
	if err != nil {
		return nil, err
	}
	return s.Provider.Status(ctx, providers.StatusRequest{Deployment: s.deployment(), Secrets: secrets, Resources: s.State.Settled()})
}

func hasPassword(p providers.Provider, rs []providers.Resource) bool {
	if c, ok := p.(providers.PasswordChecker); ok {
		return c.HasPassword(rs)
	}
	return true
}
