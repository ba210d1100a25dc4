// Package state keeps what redisctl knows about each deployment: one JSON file
// per deployment under the state directory, written atomically after every
// completed step, with a lineage (which deployment this is) and a serial (how
// many writes it has seen), and a lock with an expiring lease.
package state

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"time"

	"github.com/redisctl/redisctl/providers"
)

// FormatVersion is the state file format this build writes.
const FormatVersion = 1

// State is one deployment's record.
type State struct {
	FormatVersion int `json:"format_version"`
	// Lineage is a random ID fixed when the deployment is first applied; a
	// plan made against another lineage is for another deployment.
	Lineage string `json:"lineage"`
	// Serial increases with every write.
	Serial     uint64    `json:"serial"`
	Deployment string    `json:"deployment"`
	Provider   string    `json:"provider"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Salt keys secret fingerprints so they cannot be looked up in a table.
	Salt string `json:"salt"`
	// Secrets records where each secret comes from and its fingerprint;
	// never the value.
	Secrets   map[string]SecretRecord `json:"secrets,omitempty"`
	Resources []Entry                 `json:"resources"`
}

// SecretRecord is a secret's reference and fingerprint.
type SecretRecord struct {
	Ref         string `json:"ref"`
	Fingerprint string `json:"fingerprint"`
}

// Entry is one resource in state. A resource whose change was started but
// not finished carries Pending; the next refresh decides what became of it.
type Entry struct {
	providers.Resource
	Pending *Pending `json:"pending,omitempty"`
}

// Pending journals an unfinished change.
type Pending struct {
	Action  providers.Action `json:"action"`
	Started time.Time        `json:"started"`
	// Target is the resource the change was making (nil for a delete).
	Target *providers.Resource `json:"target,omitempty"`
	// Journal is what the provider recorded while working (operation IDs,
	// idempotency tokens), so a re-run resumes instead of starting again.
	Journal map[string]string `json:"journal,omitempty"`
}

// New returns the state of a deployment that has never been applied.
func New(deployment, provider string) *State {
	return &State{FormatVersion: FormatVersion, Deployment: deployment, Provider: provider}
}

// Empty reports whether the state records no resources.
func (s *State) Empty() bool { return len(s.Resources) == 0 }

// ensureIdentity gives a new state its lineage and salt on first write.
func (s *State) ensureIdentity() {
	if s.Lineage == "" {
		s.Lineage = randomHex(16)
	}
	if s.Salt == "" {
		s.Salt = randomHex(16)
	}
}

// Find returns the entry at address, or nil.
func (s *State) Find(address string) *Entry {
	for i := range s.Resources {
		if s.Resources[i].Address() == address {
			return &s.Resources[i]
		}
	}
	return nil
}

// Put inserts or replaces the entry at its address, keeping address order.
func (s *State) Put(e Entry) {
	if old := s.Find(e.Address()); old != nil {
		*old = e
		return
	}
	s.Resources = append(s.Resources, e)
	sort.Slice(s.Resources, func(i, j int) bool { return s.Resources[i].Address() < s.Resources[j].Address() })
}

// Remove deletes the entry at address, if any.
func (s *State) Remove(address string) {
	for i := range s.Resources {
		if s.Resources[i].Address() == address {
			s.Resources = append(s.Resources[:i], s.Resources[i+1:]...)
			return
		}
	}
}

// Settled returns the resources that exist (pending creates excluded).
func (s *State) Settled() []providers.Resource {
	var out []providers.Resource
	for _, e := range s.Resources {
		if e.Pending != nil && e.Pending.Action == providers.ActionCreate && e.ID == "" {
			continue
		}
		out = append(out, e.Resource)
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
