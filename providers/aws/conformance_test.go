package aws

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/providers/conformance"
)

const conformanceSpec = `apiVersion: redisctl.io/v1alpha1
kind: Deployment
name: conf-aws
labels:
  team: cache
layout: single
memory: 512Mi
auth:
  password: env:` + conformance.PasswordEnv + `
tls:
  enabled: true
provider:
  name: aws
  region: us-east-1
`

func TestConformance(t *testing.T) {
	f := useFake(t)
	const id = "conf-aws"
	conformance.Run(t, conformance.Harness{
		Name: Name,
		New:  func() providers.Provider { return New() },
		Spec: conformanceSpec,
		Changes: []conformance.Change{
			{
				Name: "memory scales the node type in place",
				Edit: conformance.Replace("memory: 512Mi", "memory: 1Gi"),
				Want: conformance.Only("aws_replication_group.main", providers.ActionUpdate, providers.ImpactRollingFailover),
			},
			{
				Name: "eviction policy in the parameter group",
				Edit: conformance.Replace("memory: 1Gi", "memory: 1Gi\nevictionPolicy: allkeys-lru"),
				Want: conformance.Only("aws_parameter_group.conf-aws-redis7", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "single to ha adds replicas and failover in place",
				Edit: conformance.Replace("layout: single", "layout: ha\nreplicas: 2"),
				Want: conformance.Only("aws_replication_group.main", providers.ActionUpdate, providers.ImpactOnline),
			},
			{
				Name: "fewer replicas disconnects their readers",
				Edit: conformance.Replace("replicas: 2", "replicas: 1"),
				Want: conformance.Only("aws_replication_group.main", providers.ActionUpdate, providers.ImpactReconnect),
			},
			{
				Name:          "port replaces the group",
				Edit:          conformance.Replace("tls:", "network:\n  basePort: 6380\ntls:"),
				Want:          conformance.Only("aws_replication_group.main", providers.ActionReplace, providers.ImpactDataLoss),
				AllowDataLoss: true,
			},
			{
				Name: "cluster layout replaces the group and its parameter group",
				Edit: conformance.Replace("layout: ha\nreplicas: 1", "layout: cluster\nshards: 2\nreplicas: 1"),
				Want: map[string]conformance.Want{
					"aws_replication_group.main":                  {Action: providers.ActionReplace, Impact: providers.ImpactDataLoss},
					"aws_parameter_group.conf-aws-redis7-cluster": {Action: providers.ActionCreate, Impact: providers.ImpactNone},
					"aws_parameter_group.conf-aws-redis7":         {Action: providers.ActionDelete, Impact: providers.ImpactMetadata},
				},
				AllowDataLoss: true,
			},
			{
				Name: "shards are added online",
				Edit: conformance.Replace("shards: 2", "shards: 3"),
				Want: conformance.Only("aws_replication_group.main", providers.ActionUpdate, providers.ImpactOnline),
			},
		},
		Check: func(t *testing.T, step string, s *deploy.Session) {
			if got := f.Groups(); len(got) != 1 || got[0] != id {
				t.Fatalf("%s: fake holds replication groups %v, want exactly [%s]", step, got, id)
			}
			g, _ := f.Group(id)
			if g.Status != "available" {
				t.Errorf("%s: group is %s after apply", step, g.Status)
			}
			if len(g.AuthTokens) != 1 || g.AuthTokens[0] != conformance.Password() {
				t.Errorf("%s: group does not take exactly the spec's password as its AUTH token", step)
			}
			switch step {
			case "create", "adoption":
				if g.NodeType != "cache.t4g.micro" || g.ClusterMode || len(g.Shards) != 1 || g.Shards[0].Replicas != 0 || !g.TransitEncryption || !g.AtRestEncryption {
					t.Errorf("%s: group %+v", step, g)
				}
			case "memory scales the node type in place":
				if g.NodeType != "cache.t4g.small" {
					t.Errorf("node type %s, want cache.t4g.small", g.NodeType)
				}
			case "eviction policy in the parameter group":
				pg, _ := f.ParameterGroup(id + "-redis7")
				if pg.Values["maxmemory-policy"] != "allkeys-lru" {
					t.Errorf("parameter group values %v", pg.Values)
				}
			case "single to ha adds replicas and failover in place":
				if g.Shards[0].Replicas != 2 || !g.AutomaticFailover || !g.MultiAZ {
					t.Errorf("group after ha: replicas %d, failover %v, multi-AZ %v", g.Shards[0].Replicas, g.AutomaticFailover, g.MultiAZ)
				}
			case "port replaces the group":
				if g.Port != 6380 {
					t.Errorf("port %d", g.Port)
				}
			case "cluster layout replaces the group and its parameter group":
				if !g.ClusterMode || len(g.Shards) != 2 || g.ParameterGroup != id+"-redis7-cluster" {
					t.Errorf("cluster group %+v", g)
				}
				if pgs := f.ParameterGroups(); len(pgs) != 1 {
					t.Errorf("parameter groups left: %v", pgs)
				}
			case "shards are added online":
				if len(g.Shards) != 3 {
					t.Errorf("shards %d", len(g.Shards))
				}
			}
		},
		Gone: func(t *testing.T) {
			if g := f.Groups(); len(g) != 0 {
				t.Errorf("replication groups left after destroy: %v", g)
			}
			if pgs := f.ParameterGroups(); len(pgs) != 0 {
				t.Errorf("parameter groups left after destroy: %v", pgs)
			}
			final := 0
			for _, sn := range f.Snapshots() {
				if strings.HasPrefix(sn.Name, id+"-final-") && sn.Status == "available" {
					final++
				}
			}
			// Two replacements and the destroy each took one.
			if final != 3 {
				t.Errorf("final snapshots %v, want 3", f.Snapshots())
			}
		},
	})
}
