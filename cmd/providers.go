package cmd

import (
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/aws"
	"github.com/redisctl/redisctl/providers/azure"
	"github.com/redisctl/redisctl/providers/digitalocean"
	"github.com/redisctl/redisctl/providers/gcp"
	"github.com/redisctl/redisctl/providers/local"
)

// newRegistry is the one place providers are registered.
func newRegistry() *providers.Registry {
	r := providers.NewRegistry()
	r.Register(local.Name, func() providers.Provider { return local.New() })
	r.Register(aws.Name, func() providers.Provider { return aws.New() })
	r.Register(azure.Name, func() providers.Provider { return azure.New() })
	r.Register(digitalocean.Name, func() providers.Provider { return digitalocean.New() })
	r.Register(gcp.Name, func() providers.Provider { return gcp.New() })
	return r
}
