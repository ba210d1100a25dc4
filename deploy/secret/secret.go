// Package secret resolves the secret references a spec holds (env:NAME,
// file:PATH, generate) into values kept in memory only, and fingerprints them
// so that state and plans can tell a changed secret without storing it.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/redisctl/redisctl/topology"
)

// NotYetGenerated is the fingerprint shown for a secret that apply will generate.
const NotYetGenerated = "(known after apply)"

// Resolver turns references into values for one deployment.
type Resolver struct {
	// BaseDir is where relative file: paths start (the spec's directory).
	BaseDir string
	// GeneratedDir holds generated secrets, one 0600 file each.
	GeneratedDir string
}

// Resolve returns the value a reference points to. For generate it returns
// the stored value, or ok=false when none was generated yet.
func (r *Resolver) Resolve(ref topology.SecretRef, name string) (value string, ok bool, err error) {
	switch ref.Source {
	case topology.SecretNone:
		return "", true, nil
	case topology.SecretEnv:
		v, set := os.LookupEnv(ref.Name)
		if !set || v == "" {
			return "", false, fmt.Errorf("%s comes from environment variable %s, which is not set: export it, or use file:PATH or generate", name, ref.Name)
		}
		return v, true, nil
	case topology.SecretFile:
		p := ref.Name
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.BaseDir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", false, fmt.Errorf("%s comes from file %s: %w", name, p, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", false, fmt.Errorf("%s comes from file %s, which is empty", name, p)
		}
		return v, true, nil
	case topology.SecretGenerate:
		b, err := os.ReadFile(r.generatedPath(name))
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("read generated %s: %w", name, err)
		}
		return string(b), true, nil
	}
	panic(fmt.Sprintf("secret: impossible source %q", ref.Source))
}

// Ensure is Resolve that generates (and stores, mode 0600) a value for a
// generate reference that has none yet. Only apply calls it.
func (r *Resolver) Ensure(ref topology.SecretRef, name string) (string, error) {
	v, ok, err := r.Resolve(ref, name)
	if err != nil || ok {
		return v, err
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	v = base64.RawURLEncoding.EncodeToString(buf)
	if err := os.MkdirAll(r.GeneratedDir, 0o700); err != nil {
		return "", fmt.Errorf("store generated %s: %w", name, err)
	}
	f, err := os.OpenFile(r.generatedPath(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("store generated %s: %w", name, err)
	}
	if _, err := f.WriteString(v); err != nil {
		f.Close()
		return "", fmt.Errorf("store generated %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return v, nil
}

// Forget removes generated secrets (after destroy).
func (r *Resolver) Forget() error { return os.RemoveAll(r.GeneratedDir) }

func (r *Resolver) generatedPath(name string) string { return filepath.Join(r.GeneratedDir, name) }

// Ref renders a reference the way the spec writes it.
func Ref(ref topology.SecretRef) string {
	switch ref.Source {
	case topology.SecretNone:
		return ""
	case topology.SecretGenerate:
		return "generate"
	}
	return string(ref.Source) + ":" + ref.Name
}

// NewSalt returns a random key for Fingerprint.
func NewSalt() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Fingerprint identifies a value without revealing it: a keyed hash,
// truncated. The empty value has the empty fingerprint.
func Fingerprint(salt, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(value))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))[:16]
}
