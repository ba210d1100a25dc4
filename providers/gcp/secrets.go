package gcp

import (
	"context"

	redispb "cloud.google.com/go/redis/apiv1/redispb"

	"github.com/redisctl/redisctl/providers"
)

var _ providers.PasswordReader = (*Provider)(nil)

// ConnectionPassword returns the AUTH string Memorystore generated for the
// deployment's instance (GetInstanceAuthString), "" when AUTH is off. A
// cluster authenticates clients with IAM access tokens and has none.
func (p *Provider) ConnectionPassword(ctx context.Context, req providers.StatusRequest) (string, error) {
	for _, r := range req.Resources {
		if r.Type != typeInstance || r.Attrs["auth_enabled"] != "true" {
			continue
		}
		c, err := p.connect(ctx)
		if err != nil {
			return "", err
		}
		defer c.close()
		as, err := c.redis.GetInstanceAuthString(ctx, &redispb.GetInstanceAuthStringRequest{Name: resourceName(r)}, c.opts...)
		if err != nil {
			return "", explain("read the AUTH string of "+resourceName(r), err)
		}
		return as.GetAuthString(), nil
	}
	return "", nil
}
