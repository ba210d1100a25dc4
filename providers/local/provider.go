// Package local runs a deployment as processes on this machine: each node is
// the bundled engine (`redisctl server`) — or, when the spec asks, another
// Redis-compatible binary such as redis-server — started detached with its
// own directory holding its config, data, log and pid file.
package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Name is the provider's name in specs.
const Name = "local"

// Settings is the spec's provider block for local.
type Settings struct {
	// Dir holds one directory per node (default: the state directory's <deployment>/ folder).
	Dir string `yaml:"dir,omitempty" json:"dir,omitempty"`
	// EngineBinary runs nodes with this Redis-compatible server (e.g. redis-server) instead of the bundled engine.
	EngineBinary string `yaml:"engineBinary,omitempty" json:"engineBinary,omitempty"`
}

// Provider is the local provider.
type Provider struct {
	// Executable returns the path of the bundled engine binary.
	Executable func() (string, error)
	// StartTimeout bounds how long a node may take to answer PING.
	StartTimeout time.Duration
	// StopGrace is how long a node gets after SIGTERM before SIGKILL.
	StopGrace time.Duration
}

var _ providers.Provider = (*Provider)(nil)

// New returns the local provider running this executable as the engine.
func New() *Provider {
	return &Provider{Executable: os.Executable, StartTimeout: 20 * time.Second, StopGrace: 10 * time.Second}
}

// Validate checks the provider block and what the engine can run.
func (p *Provider) Validate(_ context.Context, req providers.ValidateRequest) (*providers.ValidateResponse, error) {
	var s Settings
	if resp, err := providers.DecodeSettings(req.Spec, &s); resp != nil || err != nil {
		return resp, err
	}
	resp := &providers.ValidateResponse{}
	spec := req.Spec
	problem := func(path, msg string) { resp.Problems = append(resp.Problems, spec.Problemf(path, "%s", msg)) }
	if s.EngineBinary == "" && spec.Layout != topology.LayoutSingle {
		problem("layout", fmt.Sprintf("the bundled engine cannot run layout %s yet (it has no replication or cluster mode); use layout: single, or set provider.engineBinary: redis-server to run this layout with Redis", spec.Layout))
	}
	if spec.TLS.Enabled {
		problem("tls.enabled", "the local provider does not terminate TLS; remove tls or use a cloud provider")
	}
	if spec.Engine.Name == "valkey" {
		problem("engine.name", "the local provider runs the bundled engine (Redis-compatible); remove engine.name or set it to redis")
	}
	if len(spec.Zones) > 0 {
		resp.Warnings = append(resp.Warnings, "zones have no meaning for the local provider; nodes all run on this machine")
	}
	if len(spec.Network.AllowedCIDRs) > 0 {
		resp.Warnings = append(resp.Warnings, "network.allowedCIDRs is not enforced by the local provider; bind decides who can connect")
	}
	return resp, nil
}

// settings decodes the provider block (already validated).
func settings(spec *topology.Spec) Settings {
	var s Settings
	_ = topology.DecodeSettings(spec, &s)
	return s
}

// baseDir is where node directories live, always absolute because nodes
// run with their own working directory.
func baseDir(d providers.Deployment) (string, error) {
	s := settings(d.Spec)
	dir := s.Dir
	if dir == "" {
		dir = filepath.Join(d.StateDir, d.Spec.Name)
	} else if !filepath.IsAbs(dir) && d.Spec.Source != "" {
		dir = filepath.Join(filepath.Dir(d.Spec.Source), dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("node directory: %w", err)
	}
	return abs, nil
}

func bindAddr(spec *topology.Spec) string {
	if spec.Network.Bind != "" {
		return spec.Network.Bind
	}
	return "127.0.0.1"
}

// connectHost is where this machine's clients reach a node bound to bind.
func connectHost(bind string) string {
	switch bind {
	case "0.0.0.0", "::", "*":
		return "127.0.0.1"
	}
	return bind
}
