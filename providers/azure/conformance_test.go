package azure

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
)

const conformanceSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-azure
layout: ha
memory: 1Gi
tls:
  enabled: true
provider:
  name: azure
  resourceGroup: ` + testRG + `
  location: West Europe
  finalExport: env:` + testSASEnv + `
`

func TestConformance(t *testing.T) {
	srv := fakeEnv(t)
	const cl, db = typeCluster + ".main", typeDatabase + ".default"
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return newTestProvider() },
		Spec: conformanceSpec,
		Changes: []conformance.Change{
			{
				Name: "memory scales the SKU in place",
				Edit: conformance.Replace("memory: 1Gi", "memory: 3Gi"),
				Want: conformance.Only(cl, providers.ActionUpdate, providers.ImpactReconnect),
			},
			{
				Name: "eviction policy in place",
				Edit: conformance.Replace("memory: 3Gi", "memory: 3Gi\nevictionPolicy: allkeys-lru"),
				Want: conformance.Only(db, providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "persistence in place",
				Edit: conformance.Replace("evictionPolicy: allkeys-lru", "evictionPolicy: allkeys-lru\npersistence:\n  mode: aof"),
				Want: conformance.Only(db, providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "labels are metadata",
				Edit: conformance.Replace("layout: ha", "layout: ha\nlabels:\n  team: cache"),
				Want: conformance.Only(cl, providers.ActionUpdate, providers.ImpactMetadata),
			},
			{
				Name: "access keys off reconnects",
				Edit: conformance.Replace("  location: West Europe\n", "  location: West Europe\n  accessKeys: Disabled\n"),
				Want: conformance.Only(db, providers.ActionUpdate, providers.ImpactReconnect),
			},
			{
				Name: "TLS off reconnects",
				Edit: conformance.Replace("tls:\n  enabled: true\n", ""),
				Want: conformance.Only(db, providers.ActionUpdate, providers.ImpactReconnect),
			},
			{
				Name: "clustering policy change recreates the database",
				Edit: conformance.Replace("layout: ha", "layout: cluster\nshards: 1"),
				Want: conformance.Only(db, providers.ActionReplace, providers.ImpactDataLoss),
				// The database is recreated: Azure cannot change the policy in place.
				AllowDataLoss: true,
			},
			{
				Name: "zones replace the cluster and its database",
				Edit: conformance.Replace("memory: 3Gi", "memory: 3Gi\nzones: [\"1\", \"2\"]"),
				Want: map[string]conformance.Want{
					cl: {Action: providers.ActionReplace, Impact: providers.ImpactDataLoss},
					db: {Action: providers.ActionReplace, Impact: providers.ImpactDataLoss},
				},
				AllowDataLoss: true,
			},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			if n := srv.ClusterCount(); n != 1 {
				t.Fatalf("%s: fake holds %d clusters, want 1", step, n)
			}
			c := srv.Cluster(testSub, testRG, "conf-azure")
			d := srv.Database(testSub, testRG, "conf-azure", "default")
			if c == nil || d == nil {
				t.Fatalf("%s: cluster %v database %v", step, c, d)
			}
			if c.Tags["redisctl-deployment"] != "conf-azure" {
				t.Errorf("%s: cluster tags %v lack redisctl-deployment", step, c.Tags)
			}
			switch step {
			case "create", "adoption":
				if c.SKU != "Balanced_B1" || c.HighAvailability != "Enabled" || d.ClusteringPolicy != "EnterpriseCluster" || d.ClientProtocol != "Encrypted" || d.AccessKeysAuthentication != "Enabled" {
					t.Errorf("%s: cluster %+v database %+v", step, c, d)
				}
			case "memory scales the SKU in place":
				if c.SKU != "Balanced_B3" {
					t.Errorf("SKU %s, want Balanced_B3", c.SKU)
				}
			case "eviction policy in place":
				if d.EvictionPolicy != "AllKeysLRU" {
					t.Errorf("eviction %s", d.EvictionPolicy)
				}
			case "persistence in place":
				if !d.Persistence.AOFEnabled || d.Persistence.AOFFrequency != "1s" {
					t.Errorf("persistence %+v", d.Persistence)
				}
			case "labels are metadata":
				if c.Tags["team"] != "cache" {
					t.Errorf("tags %v", c.Tags)
				}
			case "access keys off reconnects":
				if d.AccessKeysAuthentication != "Disabled" {
					t.Errorf("access keys %s", d.AccessKeysAuthentication)
				}
			case "TLS off reconnects":
				if d.ClientProtocol != "Plaintext" {
					t.Errorf("client protocol %s", d.ClientProtocol)
				}
			case "clustering policy change recreates the database":
				if d.ClusteringPolicy != "OSSCluster" {
					t.Errorf("policy %s", d.ClusteringPolicy)
				}
				if n := len(srv.Exports()); n != 1 {
					t.Errorf("%d exports before the database was recreated, want 1", n)
				}
			case "zones replace the cluster and its database":
				if strings.Join(c.Zones, ",") != "1,2" {
					t.Errorf("zones %v", c.Zones)
				}
			}
		},
		Gone: func(t *testing.T) {
			if n := srv.ClusterCount(); n != 0 {
				t.Errorf("%d clusters left after destroy", n)
			}
			if n := srv.Count("PUT", "/providers/Microsoft.Cache/redis/conf-azure"); n != 0 {
				t.Errorf("a classic cache was created %d times", n)
			}
			ex := srv.Exports()
			if len(ex) < 3 || ex[len(ex)-1].Target != testSAS {
				t.Errorf("destroy made no final export to the SAS URL: %+v", ex)
			}
		},
	})
}
