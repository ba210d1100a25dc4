package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// ManifestFile describes a backup directory.
const ManifestFile = "manifest.json"

// Manifest records what a backup holds, so restore can check it fits.
type Manifest struct {
	FormatVersion int                    `json:"format_version"`
	Deployment    string                 `json:"deployment"`
	Provider      string                 `json:"provider"`
	Layout        topology.Layout        `json:"layout"`
	Shards        int                    `json:"shards"`
	Created       time.Time              `json:"created"`
	Files         []providers.BackupFile `json:"files"`
}

func (s *Session) backuper() (providers.Backuper, error) {
	b, ok := s.Provider.(providers.Backuper)
	if !ok {
		return nil, fmt.Errorf("provider %s cannot back up or restore data (use the service's own snapshots)", s.Spec.Provider.Name)
	}
	if s.State.Empty() {
		return nil, fmt.Errorf("deployment %q has not been applied (no state in %s)", s.Spec.Name, s.Store.Dir)
	}
	return b, nil
}

// Backup writes a consistent RDB snapshot of every primary and a manifest
// into dir, which must not exist yet or be empty.
func (s *Session) Backup(ctx context.Context, dir string) (*Manifest, error) {
	b, err := s.backuper()
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty; back up into a new directory", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	secrets, _, err := s.secrets(false)
	if err != nil {
		return nil, err
	}
	resp, err := b.Backup(ctx, providers.BackupRequest{
		Deployment: s.deployment(), Secrets: secrets, Resources: s.State.Settled(), Dir: dir,
		Progress: func(msg string) { s.progressf("%s\n", msg) },
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	m := &Manifest{FormatVersion: 1, Deployment: s.Spec.Name, Provider: s.Spec.Provider.Name, Layout: s.Spec.Layout,
		Shards: s.Nodes.Count(topology.RolePrimary), Created: time.Now().UTC().Truncate(time.Second), Files: resp.Files}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(data, '\n'), 0o600); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads a backup directory's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a redisctl backup: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

// Restore replaces the deployment's data with the backup in dir. It loses
// the current data: the caller confirms first and holds the lock.
func (s *Session) Restore(ctx context.Context, lock *state.Lock, dir string) (*providers.RestoreResponse, error) {
	if lock == nil {
		panic("deploy: Restore without the state lock")
	}
	b, err := s.backuper()
	if err != nil {
		return nil, err
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if shards := s.Nodes.Count(topology.RolePrimary); m.Shards != shards {
		return nil, fmt.Errorf("the backup has %d primaries but %q has %d: restore into a deployment of the same layout", m.Shards, s.Spec.Name, shards)
	}
	secrets, _, err := s.secrets(false)
	if err != nil {
		return nil, err
	}
	return b.Restore(ctx, providers.RestoreRequest{
		Deployment: s.deployment(), Secrets: secrets, Resources: s.State.Settled(), Dir: dir, Files: m.Files,
		Progress: func(msg string) { s.progressf("%s\n", msg) },
	})
}
