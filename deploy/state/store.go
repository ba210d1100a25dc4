package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// DirEnv overrides the default state directory.
const DirEnv = "REDISCTL_STATE_DIR"

// DefaultDir is the state directory relative to the working directory.
const DefaultDir = ".redisctl"

// Store reads and writes state files in one directory.
type Store struct {
	Dir string
}

// ResolveDir picks the state directory: the flag, else $REDISCTL_STATE_DIR,
// else .redisctl in the working directory.
func ResolveDir(flag string) string {
	if flag != "" {
		return flag
	}
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return DefaultDir
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Path is the state file of a deployment.
func (s *Store) Path(deployment string) string {
	if !validName.MatchString(deployment) {
		panic(fmt.Sprintf("state: invalid deployment name %q", deployment))
	}
	return filepath.Join(s.Dir, deployment+".state.json")
}

// Load reads a deployment's state; a deployment never applied gets New.
func (s *Store) Load(deployment, provider string) (*State, error) {
	b, err := os.ReadFile(s.Path(deployment))
	if errors.Is(err, fs.ErrNotExist) {
		return New(deployment, provider), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read state %s: %w (the previous version is in %s.backup)", s.Path(deployment), err, s.Path(deployment))
	}
	if st.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("state %s has format %d; this redisctl reads up to %d: upgrade redisctl", s.Path(deployment), st.FormatVersion, FormatVersion)
	}
	if st.Deployment != deployment {
		return nil, fmt.Errorf("state %s belongs to deployment %q, not %q", s.Path(deployment), st.Deployment, deployment)
	}
	if provider != "" && st.Provider != provider && !st.Empty() {
		return nil, fmt.Errorf("deployment %q runs on provider %q, but the spec says %q: destroy it first or put the provider back", deployment, st.Provider, provider)
	}
	st.Provider = provider
	return &st, nil
}

// Save writes the state atomically (temporary file, fsync, rename), with
// mode 0600, after bumping its serial. The previous file is kept as a backup.
func (s *Store) Save(st *State) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	st.ensureIdentity()
	st.FormatVersion = FormatVersion
	st.Serial++
	st.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	path := s.Path(st.Deployment)
	if old, err := os.ReadFile(path); err == nil {
		if err := writeAtomic(path+".backup", old); err != nil {
			return err
		}
	}
	return writeAtomic(path, append(b, '\n'))
}

// Delete removes a deployment's state file (after destroy), keeping the backup.
func (s *Store) Delete(deployment string) error {
	path := s.Path(deployment)
	if b, err := os.ReadFile(path); err == nil {
		if err := writeAtomic(path+".backup", b); err != nil {
			return err
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove state: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data so that a crash leaves either the old
// or the new content, never a mix.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable; not all filesystems support it
		d.Close()
	}
	return nil
}
