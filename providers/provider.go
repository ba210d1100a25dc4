// Package providers declares the contract between redisctl's deploy core and
// the places a deployment can run. The contract speaks only redisctl's own
// types; only the subpackages (local, docker, aws, gcp, azure, digitalocean)
// import a cloud SDK. Every method takes and returns a struct so that adding
// a field never breaks another provider.
package providers

import (
	"context"
	"maps"
	"time"

	"github.com/redisctl/redisctl/topology"
)

// Provider is one place deployments run.
type Provider interface {
	// Capabilities describes what the provider can deploy and how each
	// attribute change is applied. It must not do I/O.
	Capabilities() Capabilities

	// Validate decodes the spec's provider block and checks the spec against
	// the provider's limits, so impossible layouts fail before anything is
	// created. It does no network I/O.
	Validate(ctx context.Context, req ValidateRequest) (*ValidateResponse, error)

	// Read refreshes resources recorded in state from the real world,
	// including ones whose creation was interrupted (Pending set).
	Read(ctx context.Context, req ReadRequest) (*ReadResponse, error)

	// Plan compares the desired deployment with the refreshed resources and
	// returns the changes, each with its action, impact and reason.
	Plan(ctx context.Context, req PlanRequest) (*PlanResponse, error)

	// Apply performs one change and returns the resource as it now is
	// (nil after a delete). It must be safe to call again after an
	// interruption: req.Journal holds what an earlier attempt recorded.
	Apply(ctx context.Context, req ApplyRequest) (*ApplyResponse, error)

	// Status reports the health of each node of the deployment.
	Status(ctx context.Context, req StatusRequest) (*StatusResponse, error)
}

// Secrets are the resolved secret values an operation needs. They are passed
// to providers in memory only and never written to state or plans.
type Secrets struct {
	// Password is the client password ("" when the spec sets none).
	Password string
}

// Deployment is what every request carries about the deployment.
type Deployment struct {
	Spec *topology.Spec
	// Nodes is the layout planner's answer for Spec.
	Nodes *topology.NodePlan
	// StateDir is where redisctl keeps state; providers may keep files
	// (node directories, generated keys) under it.
	StateDir string
	// Fingerprint turns a secret into the value kept in Attrs (keyed by the
	// deployment's salt), so a provider can detect a changed secret.
	Fingerprint func(secret string) string
	// PollInterval is how often a provider polls a long-running operation
	// (REDISCTL_POLL_INTERVAL; default 10s).
	PollInterval time.Duration
}

// ValidateRequest asks a provider to check a spec.
type ValidateRequest struct {
	Spec *topology.Spec
}

// ValidateResponse carries what a provider found wrong with a spec.
type ValidateResponse struct {
	// Problems are user mistakes with positions (topology.Problems).
	Problems topology.Problems
	// Warnings are printed with the plan but do not stop it.
	Warnings []string
}

// ReadRequest asks a provider to refresh resources from state.
type ReadRequest struct {
	Deployment
	Secrets Secrets
	// Resources are the resources in state. One with an empty ID is a
	// resource whose creation was interrupted: the provider looks for it
	// (by its deterministic identity or the journaled operation) and
	// returns it if it exists.
	Resources []Resource
	// Journals holds, by address, what interrupted changes recorded.
	Journals map[string]map[string]string
}

// ReadResponse returns the refreshed resources. A resource that no longer
// exists is left out; Drift explains differences found outside redisctl.
// Apply records the refreshed resources in state and clears their journals,
// so a provider copies into Private whatever it still needs from a journal
// (e.g. the operation a resource that is still being created waits on).
type ReadResponse struct {
	Resources []Resource
	Drift     []Drift
}

// Drift is one difference between state and the real world.
type Drift struct {
	Address string
	Message string
}

// PlanRequest asks for the changes that turn Current into the desired deployment.
type PlanRequest struct {
	Deployment
	// Destroy asks for the changes that remove every resource in Current.
	Destroy bool
	// Current is the refreshed state, in address order.
	Current []Resource
	// PasswordFingerprint identifies the desired password without revealing
	// it ("" when none; "(known after apply)" when it will be generated).
	PasswordFingerprint string
}

// PlanResponse is the provider's part of a plan.
type PlanResponse struct {
	Changes  []Change
	Warnings []string
	// Notes explain how the spec maps onto the provider ("ha, replicas: 2 →
	// ElastiCache NumCacheClusters=3, AutomaticFailoverEnabled, MultiAZ").
	Notes []string
}

// ApplyRequest asks a provider to perform one change.
type ApplyRequest struct {
	Deployment
	Secrets Secrets
	Change  Change
	// Journal is what earlier attempts of this change recorded (nil on the
	// first attempt); Record persists new entries before the provider starts
	// work that must not be repeated (an operation ID, a client token).
	Journal map[string]string
	Record  func(key, value string) error
	// Progress reports a status line ("waiting for creating → available").
	Progress func(msg string)
}

// ApplyResponse is the resource after the change (nil after a delete).
type ApplyResponse struct {
	Resource *Resource
}

// StatusRequest asks for the health of a deployment's nodes.
type StatusRequest struct {
	Deployment
	Secrets   Secrets
	Resources []Resource
}

// StatusResponse lists one row per node.
type StatusResponse struct {
	Nodes []NodeStatus
}

// NodeStatus is one node's health as `redisctl status` prints it.
type NodeStatus struct {
	Name       string
	Address    string
	Role       string
	Up         bool
	UsedMemory int64 // bytes; -1 when unknown
	MaxMemory  int64 // bytes; -1 when unknown
	Keys       int64 // -1 when unknown
	Detail     string
}

// Resource is one thing a provider manages, as recorded in state.
type Resource struct {
	// Type is the provider's resource kind ("node", "aws_replication_group").
	Type string `json:"type"`
	// Name is unique within the type ("node-0", "main").
	Name string `json:"name"`
	// ID is the provider's identifier once the resource exists.
	ID string `json:"id,omitempty"`
	// Attrs are the comparable, displayable attributes. Never secrets:
	// a password appears only as a fingerprint.
	Attrs map[string]string `json:"attrs,omitempty"`
	// Private is provider bookkeeping that plans do not show.
	Private map[string]string `json:"private,omitempty"`
	// Endpoints are how clients reach the resource.
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// DependsOn lists addresses that must exist before this resource.
	DependsOn []string `json:"depends_on,omitempty"`
}

// Address is the resource's unique name in a plan: "type.name".
func (r *Resource) Address() string { return r.Type + "." + r.Name }

// Clone is a copy of r that shares no map or slice with it (its maps are
// never nil).
func (r Resource) Clone() Resource {
	out := r
	out.Attrs = make(map[string]string, len(r.Attrs))
	maps.Copy(out.Attrs, r.Attrs)
	out.Private = make(map[string]string, len(r.Private))
	maps.Copy(out.Private, r.Private)
	out.Endpoints = append([]Endpoint(nil), r.Endpoints...)
	out.DependsOn = append([]string(nil), r.DependsOn...)
	return out
}

// Endpoint is a host and port clients connect to, with what they find there.
type Endpoint struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Role is primary, replica, sentinel, reader or configuration.
	Role string `json:"role"`
}

// Change is one step of a plan.
type Change struct {
	Address string `json:"address"`
	Action  Action `json:"action"`
	Impact  Impact `json:"impact"`
	// Reason says why the change happens ("forces replacement: port changed").
	Reason string `json:"reason"`
	// Before is the resource as refreshed (nil for create); After is the
	// desired resource (nil for delete).
	Before *Resource `json:"before"`
	After  *Resource `json:"after"`
	// Attrs lists each attribute that changes.
	Attrs []AttrChange `json:"attrs,omitempty"`
	// DependsOn lists addresses whose changes must complete first.
	DependsOn []string `json:"depends_on,omitempty"`
	// Calls are the provider API calls the change will make, in order.
	Calls []string `json:"calls,omitempty"`
	// MaintenanceWindow is true when the provider applies the change in the
	// next maintenance window rather than now.
	MaintenanceWindow bool `json:"maintenance_window,omitempty"`
}

// AttrChange is one attribute's old and new value.
type AttrChange struct {
	Name   string `json:"name"`
	Before string `json:"before"`
	After  string `json:"after"`
	// Sensitive values are shown as "(sensitive)"; Before/After hold fingerprints.
	Sensitive bool       `json:"sensitive,omitempty"`
	Mode      UpdateMode `json:"mode,omitempty"`
	Impact    Impact     `json:"impact"`
}

// Capabilities is what a provider publishes about itself; plan checks specs
// against it and docs/providers.md is generated from it.
type Capabilities struct {
	Name        string
	Description string
	Layouts     []topology.Layout
	// Mappings say what each layout becomes ("ha → replication group …").
	Mappings map[topology.Layout]string
	// Limits are checked at plan time.
	Limits Limits
	// Rules say, per resource type and attribute, how a change is applied.
	Rules []AttributeRule
	// TypicalWait is how long a create usually takes (for progress hints).
	TypicalWait time.Duration
	// Settings is a zero value of the provider block's settings struct,
	// for `redisctl schema` (nil leaves the block open).
	Settings any
}

// Limits are the provider's hard bounds.
type Limits struct {
	MaxShards   int
	MaxReplicas int
	MinMemory   int64
	MaxMemory   int64
}

// AttributeRule is one row of a provider's capability table.
type AttributeRule struct {
	Resource  string
	Attribute string
	Mode      UpdateMode
	Impact    Impact
	// Note explains the rule ("takes effect live with CONFIG SET").
	Note string
}

// Importer is implemented by providers that can adopt an existing resource
// created outside redisctl (`redisctl import`).
type Importer interface {
	Import(ctx context.Context, req ImportRequest) (*ImportResponse, error)
}

// ImportRequest names the resource to adopt.
type ImportRequest struct {
	// Deployment is the name the new spec gives the deployment.
	Deployment string
	// ID is the provider's identifier of the existing resource (replication
	// group ID, instance name, ...).
	ID string
	// Settings are provider settings given on the command line
	// (region, project, resource group), as key=value.
	Settings map[string]string
	// StateDir and Fingerprint as in Deployment.
	StateDir    string
	Fingerprint func(secret string) string
}

// ImportResponse is a spec describing the resource as it is, and the
// resources to record in state, such that the first plan is empty.
type ImportResponse struct {
	// Spec is the spec file's content (YAML).
	Spec      []byte
	Resources []Resource
	Warnings  []string
}

// Backuper is implemented by providers that can take and restore
// consistent snapshots of a deployment's data (`redisctl backup/restore`).
type Backuper interface {
	Backup(ctx context.Context, req BackupRequest) (*BackupResponse, error)
	Restore(ctx context.Context, req RestoreRequest) (*RestoreResponse, error)
}

// BackupRequest asks for an RDB snapshot of every primary, written into Dir.
type BackupRequest struct {
	Deployment
	Secrets   Secrets
	Resources []Resource
	// Dir is an existing, empty directory to write the snapshots into.
	Dir      string
	Progress func(msg string)
}

// BackupResponse lists what was written.
type BackupResponse struct {
	Files []BackupFile
}

// BackupFile is one primary's snapshot.
type BackupFile struct {
	// Node is the primary the snapshot was taken from.
	Node string `json:"node"`
	// Shard and Slots locate the data in a cluster layout.
	Shard int    `json:"shard"`
	Slots string `json:"slots,omitempty"`
	// File is the snapshot's name inside the backup directory.
	File  string `json:"file"`
	Bytes int64  `json:"bytes"`
	// SHA256 guards the file against corruption between backup and restore.
	SHA256 string `json:"sha256"`
}

// RestoreRequest asks to replace the deployment's data with a backup.
type RestoreRequest struct {
	Deployment
	Secrets   Secrets
	Resources []Resource
	Dir       string
	Files     []BackupFile
	Progress  func(msg string)
}

// RestoreResponse reports what was restored.
type RestoreResponse struct {
	Restored []string
}

// PasswordReader is implemented by providers whose service generates the
// client password itself (it is never in the spec nor in state): `redisctl
// output --show-secrets` reads it live.
type PasswordReader interface {
	ConnectionPassword(ctx context.Context, req StatusRequest) (string, error)
}

// PasswordChecker lets a PasswordReader say, from state alone, whether the
// deployment has a password at all, so outputs redact only a password that
// exists. Without it, outputs assume there is one.
type PasswordChecker interface {
	HasPassword(resources []Resource) bool
}
