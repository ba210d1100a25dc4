package topology

import (
	"errors"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnumValues lists the layouts.
func (Layout) EnumValues() []string { return []string{"single", "ha", "cluster"} }

// EnumValues lists Redis's maxmemory policies.
func (EvictionPolicy) EnumValues() []string {
	return []string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu", "allkeys-random", "volatile-random", "volatile-ttl"}
}

// EnumValues lists the persistence modes.
func (PersistenceMode) EnumValues() []string { return []string{"none", "rdb", "aof"} }

// EnumValues lists the AOF fsync policies.
func (FsyncPolicy) EnumValues() []string { return []string{"always", "everysec", "no"} }

// EnumValues lists the engines.
func (EngineName) EnumValues() []string { return []string{"redis", "valkey"} }

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseSecretRef reads a secret reference: env:NAME, file:PATH, generate, or
// "" for none. Anything else is taken for a literal secret and refused; the
// error never repeats the text, since it may be a real password.
func ParseSecretRef(s string) (SecretRef, error) {
	src, name, hasColon := strings.Cut(s, ":")
	switch {
	case s == "":
		return SecretRef{}, nil
	case s == "generate":
		return SecretRef{Source: SecretGenerate}, nil
	case hasColon && src == "env":
		if !envNameRE.MatchString(name) {
			return SecretRef{}, errors.New("env: needs an environment variable name (letters, digits and _), e.g. env:REDIS_PASSWORD")
		}
		return SecretRef{Source: SecretEnv, Name: name}, nil
	case hasColon && src == "file":
		if strings.TrimSpace(name) == "" {
			return SecretRef{}, errors.New("file: needs a path, e.g. file:/run/secrets/redis-password")
		}
		return SecretRef{Source: SecretFile, Name: name}, nil
	case hasColon && (strings.EqualFold(src, "env") || strings.EqualFold(src, "file")),
		strings.EqualFold(s, "generate"):
		return SecretRef{}, errors.New("secret sources are written in lowercase: env:NAME, file:PATH or generate")
	}
	return SecretRef{}, errors.New("a literal secret is not allowed in the spec; put it in an environment variable or a file and write env:NAME or file:PATH, or write generate to have one made")
}

// String writes the reference as it is spelled in a spec.
func (r SecretRef) String() string {
	switch r.Source {
	case SecretNone:
		return ""
	case SecretGenerate:
		return "generate"
	}
	return string(r.Source) + ":" + r.Name
}

// IsZero reports whether no secret is configured.
func (r SecretRef) IsZero() bool { return r.Source == SecretNone }

// MarshalText writes the reference (JSON, YAML).
func (r SecretRef) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a reference written as text.
func (r *SecretRef) UnmarshalText(b []byte) error {
	v, err := ParseSecretRef(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// decodeNode reads the provider block: name, and every other key kept as
// Settings for the provider to decode with DecodeSettings.
func (p *Provider) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping with the provider's name and settings (e.g. name: local), got %s", describe(n))
		return
	}
	settings := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for _, pr := range d.pairs(n, path) {
		child := childPath(path, pr.key.Value)
		d.src.key[child] = posOf(pr.key)
		d.link(child, path)
		if pr.key.Value == "name" {
			d.decode(pr.value, reflect.ValueOf(&p.Name).Elem(), child)
			continue
		}
		settings.Content = append(settings.Content, pr.key, pr.value)
		d.recordTree(pr.value, child, 0)
	}
	if len(settings.Content) > 0 {
		p.Settings = settings
	}
}
