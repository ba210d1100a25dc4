// Package digitalocean deploys a spec as a DigitalOcean managed Valkey
// database cluster through the official godo client: layout single is a
// one-node cluster, ha a primary with one standby. DigitalOcean generates the
// cluster's password; redisctl keeps only its fingerprint.
package digitalocean

import (
	"context"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Name is the provider's name in specs.
const Name = "digitalocean"

// Environment variables the provider reads on its first API call.
const (
	// EnvToken holds the API token (as doctl and Terraform read it).
	EnvToken = "DIGITALOCEAN_TOKEN"
	// EnvAccessToken is read when EnvToken is unset.
	EnvAccessToken = "DIGITALOCEAN_ACCESS_TOKEN"
	// EnvEndpoint overrides the API's base URL (tests, proxies).
	EnvEndpoint = "REDISCTL_DIGITALOCEAN_ENDPOINT"
)

// DefaultEndpoint is DigitalOcean's API.
const DefaultEndpoint = "https://api.digitalocean.com/"

// Settings is the spec's provider block for digitalocean.
type Settings struct {
	Region            string             `yaml:"region" json:"region"`
	Size              string             `yaml:"size,omitempty" json:"size,omitempty"`
	ClusterName       string             `yaml:"clusterName,omitempty" json:"clusterName,omitempty"`
	VPC               string             `yaml:"vpc,omitempty" json:"vpc,omitempty"`
	Project           string             `yaml:"project,omitempty" json:"project,omitempty"`
	TrustedSources    []string           `yaml:"trustedSources,omitempty" json:"trustedSources,omitempty"`
	Tags              []string           `yaml:"tags,omitempty" json:"tags,omitempty"`
	MaintenanceWindow *MaintenanceWindow `yaml:"maintenanceWindow,omitempty" json:"maintenanceWindow,omitempty"`
	Endpoint          string             `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
}

// FieldDocs describes the settings for `redisctl schema`.
func (Settings) FieldDocs() map[string]string {
	return map[string]string{
		"":                  "DigitalOcean managed Valkey settings.",
		"Region":            "Region slug the cluster runs in, e.g. nyc3, ams3, fra1 (required; doctl databases options regions valkey).",
		"Size":              "Node plan slug, e.g. db-s-2vcpu-4gb (default: the smallest plan with at least `memory` of RAM).",
		"ClusterName":       "Name of the database cluster, unique in the account (default: the deployment's name).",
		"VPC":               "UUID of the VPC network for the cluster's private endpoint (default: the region's default VPC).",
		"Project":           "UUID of the project the cluster is created in (default: the account's default project; not changed after creation).",
		"TrustedSources":    "Extra trusted sources besides network.allowedCIDRs, as type:value with type droplet, k8s, tag or app (e.g. tag:web).",
		"Tags":              "Extra tags for the cluster besides redisctl-deployment:<name> and the spec's labels.",
		"MaintenanceWindow": "When DigitalOcean installs updates (default: chosen by DigitalOcean).",
		"Endpoint":          "Which connection outputs show: public or private (the VPC host) (default public).",
	}
}

// MaintenanceWindow is the weekly slot for updates.
type MaintenanceWindow struct {
	Day  string `yaml:"day" json:"day"`
	Hour string `yaml:"hour" json:"hour"`
}

// FieldDocs describes the window for `redisctl schema`.
func (MaintenanceWindow) FieldDocs() map[string]string {
	return map[string]string{
		"Day":  "Day of the week, e.g. sunday.",
		"Hour": "Start hour in UTC, HH:MM, e.g. 03:00.",
	}
}

// Provider is the digitalocean provider. The API client is built on the
// first call that needs it, so validate and plans from empty state need no
// token.
type Provider struct {
	// Getenv reads the environment (os.Getenv).
	Getenv func(string) string
	// RetryMax is how many times a throttled (429) or failed (5xx) request
	// is retried; RetryWait is the first backoff, doubled each time up to
	// RetryMaxWait. A Retry-After header is honoured up to RetryMaxWait.
	RetryMax                int
	RetryWait, RetryMaxWait time.Duration

	mu     sync.Mutex
	client *godo.Client
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Importer = (*Provider)(nil)
)

// New returns the provider with production retry settings.
func New() *Provider {
	return &Provider{Getenv: os.Getenv, RetryMax: 5, RetryWait: time.Second, RetryMaxWait: 30 * time.Second}
}

// knownVersions are the Valkey major versions DigitalOcean offers for new
// clusters (GET /v2/databases/options).
var knownVersions = []string{"8"}

const defaultVersion = "8"

var (
	regionPattern = regexp.MustCompile(`^[a-z]{3}[0-9]$`)
	namePattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{1,61}[a-z0-9]$`)
	uuidPattern   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	tagPattern    = regexp.MustCompile(`^[a-zA-Z0-9_:\-]{1,255}$`)
	hourPattern   = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	weekdays      = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	sourceTypes   = []string{"droplet", "k8s", "tag", "app", "ip_addr"}
)

// Validate checks the spec against what DigitalOcean's managed Valkey can
// do. It does no I/O.
func (p *Provider) Validate(_ context.Context, req providers.ValidateRequest) (*providers.ValidateResponse, error) {
	var s Settings
	if resp, err := providers.DecodeSettings(req.Spec, &s); resp != nil || err != nil {
		return resp, err
	}
	resp := &providers.ValidateResponse{}
	v := &validation{Findings: providers.Findings{Spec: req.Spec, Response: resp}, s: s}
	v.layout()
	v.size()
	v.engine()
	v.data()
	v.network()
	v.settings()
	return resp, nil
}

type validation struct {
	providers.Findings
	s Settings
}

func (v *validation) layout() {
	spec := v.Spec
	switch spec.Layout {
	case topology.LayoutCluster:
		v.Problemf("layout", "DigitalOcean's managed Valkey has no cluster mode (no sharding); the closest is layout: ha with a larger plan (memory up to 256Gi), or several deployments the application shards between")
	case topology.LayoutHA:
		if spec.Replicas > 1 {
			v.Problemf("replicas", "a DigitalOcean Valkey cluster has at most one standby node, so replicas: %d is not possible; use replicas: 1 (a primary and a standby)", spec.Replicas)
		}
		if spec.Replicas == 0 {
			v.Problemf("replicas", "layout ha on DigitalOcean is a primary and one standby: set replicas: 1, or use layout: single")
		}
	}
	if len(spec.Zones) > 0 {
		v.Warnf("zones are ignored: DigitalOcean places a cluster's nodes within its region itself")
	}
}

func (v *validation) size() {
	spec, s := v.Spec, v.s
	mem := spec.Memory.Bytes
	var plan size
	if s.Size != "" {
		var ok bool
		plan, ok = lookupSize(s.Size)
		if !ok {
			v.Problemf("provider.size", "%q is not a DigitalOcean database plan for Valkey; use one of %s", s.Size, slugList())
			return
		}
		if plan.RAM < mem {
			v.Problemf("memory", "%s does not fit on plan %s (%s of RAM); raise provider.size or lower memory", spec.Memory, plan.Slug, gibString(plan.RAM))
		}
	} else {
		var ok bool
		plan, ok = sizeFor(mem)
		if !ok {
			v.Problemf("memory", "%s is more than DigitalOcean's largest Valkey plan (%s); use at most 256Gi, or several deployments", spec.Memory, gibString(maxRAM))
			return
		}
	}
	if spec.Layout == topology.LayoutHA && plan.RAM < minStandbyRAM {
		path := "memory"
		if s.Size != "" {
			path = "provider.size"
		}
		v.Problemf(path, "DigitalOcean offers standby nodes only on plans with 2 GB of RAM or more, and %s has %s; set memory: 2Gi (plan db-s-1vcpu-2gb) or more, or use layout: single", plan.Slug, gibString(plan.RAM))
	}
}

func (v *validation) engine() {
	spec := v.Spec
	if spec.Engine.Name == topology.EngineRedis {
		v.Warnf("engine.name is redis (the default): DigitalOcean's managed Redis is retired, so this deployment runs Valkey %s, which speaks the same protocol; set engine.name: valkey to say so", versionOf(spec))
	}
	if ver := spec.Engine.Version; ver != "" && !slices.Contains(knownVersions, majorVersion(ver)) {
		v.Problemf("engine.version", "DigitalOcean offers Valkey %s, not %q; set engine.version: %s or remove it", strings.Join(knownVersions, ", "), ver, defaultVersion)
	}
}

func (v *validation) data() {
	spec := v.Spec
	switch spec.EvictionPolicy {
	case topology.AllKeysLFU, topology.VolatileLFU:
		v.Problemf("evictionPolicy", "DigitalOcean's eviction policy API offers noeviction, allkeys-lru, allkeys-random, volatile-lru, volatile-random and volatile-ttl, not %s; the closest is %s", spec.EvictionPolicy, strings.Replace(string(spec.EvictionPolicy), "lfu", "lru", 1))
	}
	if spec.Persistence.Mode == topology.PersistenceAOF {
		v.Problemf("persistence.mode", "DigitalOcean's Valkey persists with RDB snapshots only (valkey_persistence rdb or off); use mode: rdb, or none")
	}
	if !spec.TLS.Enabled {
		v.Problemf("tls.enabled", "DigitalOcean's managed Valkey accepts TLS connections only; set tls.enabled: true")
	}
	if spec.Auth.Password.Source != topology.SecretNone {
		v.Problemf("auth.password", "DigitalOcean generates the cluster's password and its API cannot set one; remove auth.password (redisctl keeps only a fingerprint of DigitalOcean's password; `doctl databases connection <id>` shows it)")
	}
}

func (v *validation) network() {
	spec := v.Spec
	if spec.Network.Bind != "" {
		v.Warnf("network.bind is ignored: DigitalOcean gives the cluster its own public and private host names")
	}
	if spec.Network.BasePort != topology.DefaultBasePort {
		v.Warnf("network.basePort is ignored: DigitalOcean's Valkey listens on port 25061")
	}
	for i, c := range spec.Network.AllowedCIDRs {
		if ip := net.ParseIP(strings.Split(c, "/")[0]); ip != nil && ip.To4() == nil {
			v.Problemf(fmt.Sprintf("network.allowedCIDRs[%d]", i), "DigitalOcean's trusted sources take IPv4 addresses and ranges, not %s", c)
		}
	}
	if len(spec.Network.AllowedCIDRs) == 0 && len(v.s.TrustedSources) == 0 {
		v.Warnf("no network.allowedCIDRs or provider.trustedSources: DigitalOcean accepts connections from any address (TLS and the password still apply)")
	}
}

func (v *validation) settings() {
	s := v.s
	switch {
	case s.Region == "":
		v.Problemf("provider.region", "DigitalOcean needs a region, e.g. region: nyc3 (doctl databases options regions valkey lists them)")
	case !regionPattern.MatchString(s.Region):
		v.Problemf("provider.region", "%q is not a DigitalOcean region slug such as nyc3, ams3 or fra1", s.Region)
	}
	if n := clusterName(v.Spec, s); !namePattern.MatchString(n) {
		path := "provider.clusterName"
		if s.ClusterName == "" {
			path = "name"
		}
		v.Problemf(path, "%q is not a valid DigitalOcean cluster name: 3 to 63 lowercase letters, digits and '-', starting with a letter", n)
	}
	if s.VPC != "" && !uuidPattern.MatchString(s.VPC) {
		v.Problemf("provider.vpc", "%q is not a VPC network UUID (doctl vpcs list shows them)", s.VPC)
	}
	if s.Project != "" && !uuidPattern.MatchString(s.Project) {
		v.Problemf("provider.project", "%q is not a project UUID (doctl projects list shows them)", s.Project)
	}
	for i, src := range s.TrustedSources {
		typ, val, ok := strings.Cut(src, ":")
		if !ok || val == "" || !slices.Contains(sourceTypes, typ) {
			v.Problemf(fmt.Sprintf("provider.trustedSources[%d]", i), "%q is not type:value with type droplet, k8s, tag, app or ip_addr (e.g. tag:web)", src)
		}
	}
	for i, t := range s.Tags {
		if !tagPattern.MatchString(t) {
			v.Problemf(fmt.Sprintf("provider.tags[%d]", i), "%q is not a DigitalOcean tag: up to 255 letters, digits, ':', '-' or '_'", t)
		}
	}
	if w := s.MaintenanceWindow; w != nil {
		if !slices.Contains(weekdays, w.Day) {
			v.Problemf("provider.maintenanceWindow.day", "%q is not a day of the week (monday … sunday)", w.Day)
		}
		if !hourPattern.MatchString(w.Hour) {
			v.Problemf("provider.maintenanceWindow.hour", "%q is not an hour HH:MM in UTC, e.g. 03:00", w.Hour)
		}
	}
	if s.Endpoint != "" && s.Endpoint != "public" && s.Endpoint != "private" {
		v.Problemf("provider.endpoint", "%q is neither public nor private", s.Endpoint)
	}
}

// settings decodes the provider block (already validated).
func settings(spec *topology.Spec) Settings {
	var s Settings
	_ = topology.DecodeSettings(spec, &s)
	return s
}

func clusterName(spec *topology.Spec, s Settings) string {
	if s.ClusterName != "" {
		return s.ClusterName
	}
	return spec.Name
}

// majorVersion reduces "8.0" to "8": DigitalOcean versions are majors and
// clusters run the latest minor release.
func majorVersion(v string) string {
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	return major
}

func versionOf(spec *topology.Spec) string {
	if spec.Engine.Version != "" {
		return majorVersion(spec.Engine.Version)
	}
	return defaultVersion
}
