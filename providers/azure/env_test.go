package azure

import (
	"testing"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/azure/armfake"
	"github.com/redisctl/redisctl/providers/providertest"
)

// testSpec is a small ha Managed Redis deployment.
const testSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: orders
layout: ha
memory: 1Gi
tls:
  enabled: true
provider:
  name: azure
  resourceGroup: ` + testRG + `
  location: westeurope
  finalExport: env:` + testSASEnv + `
`

// env drives the provider through deploy.Session against a fake.
type env struct {
	*providertest.Env
	srv  *armfake.Server
	prov *Provider
}

func newEnv(t *testing.T) *env {
	e := &env{srv: fakeEnv(t), prov: newTestProvider()}
	e.Env = providertest.New(t, Name, func() providers.Provider { return e.prov })
	return e
}

const (
	addrCluster  = typeCluster + ".main"
	addrDatabase = typeDatabase + ".default"
	addrCache    = typeCache + ".main"
)
