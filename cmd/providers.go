package cmd

import (
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/aws"
	"github.com/redisctl/redisctl/providers/local"
)

// newRegistry is the one place providers are registered.
func newRegistry() *providers.Registry {
	r := providers.NewRegistry()
	r.Register(local.Name, func() providers.Provider { return local.New() })
	r.Register(aws.Name, func() providers.Provider { return aws.New() })
	return r
}
