// Package aws deploys redisctl specs onto Amazon ElastiCache (Redis OSS and
// Valkey) through aws-sdk-go-v2: a single layout becomes a one-node
// replication group, ha a cluster-mode-disabled replication group with
// replicas, automatic failover and Multi-AZ, and cluster a cluster-mode-enabled
// replication group. Each deployment also owns a cache parameter group (the
// eviction policy and other parameters) and, when the spec lists subnets, a
// cache subnet group. Credentials and endpoints come from the standard AWS
// chain (AWS_* environment, shared config, instance roles), loaded on the
// first API call.
package aws

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Name is the provider's name in specs.
const Name = "aws"

// Settings is the spec's provider block for aws.
type Settings struct {
	Region                string            `yaml:"region,omitempty" json:"region,omitempty"`
	ReplicationGroupID    string            `yaml:"replicationGroupId,omitempty" json:"replicationGroupId,omitempty"`
	NodeType              string            `yaml:"nodeType,omitempty" json:"nodeType,omitempty"`
	SubnetGroup           string            `yaml:"subnetGroup,omitempty" json:"subnetGroup,omitempty"`
	SubnetIDs             []string          `yaml:"subnetIds,omitempty" json:"subnetIds,omitempty"`
	SecurityGroupIDs      []string          `yaml:"securityGroupIds,omitempty" json:"securityGroupIds,omitempty"`
	AtRestEncryption      *bool             `yaml:"atRestEncryption,omitempty" json:"atRestEncryption,omitempty"`
	SnapshotRetentionDays *int              `yaml:"snapshotRetentionDays,omitempty" json:"snapshotRetentionDays,omitempty"`
	SnapshotWindow        string            `yaml:"snapshotWindow,omitempty" json:"snapshotWindow,omitempty"`
	MaintenanceWindow     string            `yaml:"maintenanceWindow,omitempty" json:"maintenanceWindow,omitempty"`
	FinalSnapshot         *bool             `yaml:"finalSnapshot,omitempty" json:"finalSnapshot,omitempty"`
	ApplyImmediately      *bool             `yaml:"applyImmediately,omitempty" json:"applyImmediately,omitempty"`
	Parameters            map[string]string `yaml:"parameters,omitempty" json:"parameters,omitempty"`
	ParameterGroupName    string            `yaml:"parameterGroupName,omitempty" json:"parameterGroupName,omitempty"`
}

// FieldDocs describes the settings for `redisctl schema`.
func (Settings) FieldDocs() map[string]string {
	return map[string]string{
		"":                      "Amazon ElastiCache settings.",
		"Region":                "AWS region, e.g. us-east-1 (default: AWS_REGION or the shared config's region).",
		"ReplicationGroupID":    "Replication group ID: 1 to 40 letters, digits or hyphens, starting with a letter, no two hyphens in a row or at the end (default: the deployment name).",
		"NodeType":              "Cache node type, e.g. cache.r7g.large (default: the smallest t4g/m7g/r7g type offering the spec's memory).",
		"SubnetGroup":           "Existing cache subnet group to place the nodes in (default: the default VPC's). Changing it replaces the group.",
		"SubnetIDs":             "VPC subnet IDs for a cache subnet group redisctl creates and manages (instead of subnetGroup).",
		"SecurityGroupIDs":      "Existing VPC security group IDs for the nodes; their rules decide who may connect (network.allowedCIDRs needs them).",
		"AtRestEncryption":      "Encrypt data at rest (default true). Cannot be changed in place: changing it replaces the group.",
		"SnapshotRetentionDays": "Days automatic snapshots are kept, 1 to 35 (default 7 with persistence.mode rdb; persistence none turns snapshots off).",
		"SnapshotWindow":        "Daily UTC window for automatic snapshots, hh24:mi-hh24:mi, e.g. 03:00-04:00 (default: chosen by ElastiCache).",
		"MaintenanceWindow":     "Weekly UTC maintenance window, ddd:hh24:mi-ddd:hh24:mi, e.g. sun:05:00-sun:06:00 (default: chosen by ElastiCache).",
		"FinalSnapshot":         "Take a final snapshot when the replication group is deleted or replaced (default true).",
		"ApplyImmediately":      "Apply node type and engine version changes now (default true); false defers them to the maintenance window.",
		"Parameters":            "Further cache parameters, e.g. notify-keyspace-events: Ex (maxmemory-policy comes from evictionPolicy). Removing one from the spec leaves its value as it is.",
		"ParameterGroupName":    "Name of the cache parameter group redisctl manages for the engine's family (default <replicationGroupId>-<family>, e.g. sessions-redis7); import sets it to adopt an existing group. Give a new name when an engine upgrade changes the family.",
	}
}

// Provider is the aws provider.
type Provider struct {
	// LoadConfig loads the AWS configuration for a region ("" when the spec
	// names none). Nil uses config.LoadDefaultConfig: the standard chain.
	LoadConfig func(ctx context.Context, region string) (aws.Config, error)
	// MaxAttempts bounds the attempts of one API call (throttling and
	// server errors are retried); 0 means 10.
	MaxAttempts int
	// MaxWait bounds one wait for a replication group (default 4h).
	MaxWait time.Duration

	mu      sync.Mutex
	clients map[string]*elasticache.Client
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Importer = (*Provider)(nil)
)

// New returns the aws provider. It does no I/O: credentials are loaded on
// the first API call.
func New() *Provider { return &Provider{} }

// Validate decodes the provider block and checks the spec against what
// ElastiCache can do. It needs neither network nor credentials.
func (p *Provider) Validate(_ context.Context, req providers.ValidateRequest) (*providers.ValidateResponse, error) {
	var s Settings
	if resp, err := providers.DecodeSettings(req.Spec, &s); resp != nil || err != nil {
		return resp, err
	}
	resp := &providers.ValidateResponse{}
	_, probs, warnings := resolve(req.Spec, s)
	resp.Problems, resp.Warnings = probs, warnings
	return resp, nil
}

// settings decodes the provider block (already validated).
func settings(spec *topology.Spec) Settings {
	var s Settings
	_ = topology.DecodeSettings(spec, &s)
	return s
}

// targetOf resolves an already validated spec.
func targetOf(spec *topology.Spec) target {
	t, _, _ := resolve(spec, settings(spec))
	return t
}
