package gcp

import (
	"context"

	redispb "cloud.google.com/go/redis/apiv1/redispb"

	"github.com/redisctl/redisctl/providers"
)

var _ providers.SecretReader = (*Provider)(nil)

// ReadSecrets returns the AUTH string Memorystore generated for the
// deployment's instance (GetInstanceAuthString). Clusters authenticate with
// IAM access tokens and have no password.
func (p *Provider) ReadSecrets(ctx context.Context, req providers.ReadSecretsRequest) (*providers.ReadSecretsResponse, error) {
	resp := &providers.ReadSecretsResponse{}
	for _, r := range req.Resources {
		if r.Type != typeInstance || r.Attrs["auth_enabled"] != "true" {
			continue
		}
		c, err := p.connect(ctx)
		if err != nil {
			return nil, err
		}
		defer c.close()
		as, err := c.redis.GetInstanceAuthString(ctx, &redispb.GetInstanceAuthStringRequest{Name: resourceName(r)}, c.opts...)
		if err != nil {
			return nil, explain("read the AUTH string of "+resourceName(r), err)
		}
		resp.Password = as.GetAuthString()
	}
	return resp, nil
}
