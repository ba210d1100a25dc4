package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"
)

// Load reads, strictly decodes, defaults and validates a spec file. A bad
// spec gives a Problems error listing every problem with its position.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return Parse(path, data)
}

// Parse reads, strictly decodes, defaults and validates a spec held in
// memory; name is the file name used in messages.
func Parse(name string, data []byte) (*Spec, error) {
	root, probs := parseYAML(name, data)
	if root == nil {
		return nil, probs.err()
	}
	d := newDecoder(name)
	d.probs = probs
	d.src.root = posOf(root)
	if !d.checkVersion(root) {
		return nil, d.probs.err()
	}
	s := &Spec{Source: name, src: d.src}
	d.decode(root, reflect.ValueOf(s).Elem(), "")
	Default(s)
	for _, f := range validate(s) {
		if !d.underBad(f.Path) && !slices.ContainsFunc(f.deps, d.underBad) {
			d.probs = append(d.probs, f.Problem)
		}
	}
	if err := d.probs.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// underBad reports whether path or one of its ancestors failed to decode.
func (d *decoder) underBad(path string) bool {
	for p := path; ; {
		if d.bad[p] {
			return true
		}
		parent, ok := d.src.parent[p]
		if !ok || p == "" {
			return false
		}
		p = parent
	}
}

// parseYAML parses the one document of a spec file into its root node,
// turning YAML syntax errors into positioned problems.
func parseYAML(name string, data []byte) (root *yaml.Node, probs Problems) {
	defer func() {
		// yaml.v3 has panicked on some malformed inputs; report, don't crash.
		if r := recover(); r != nil {
			root = nil
			probs = Problems{{File: name, Line: 1, Column: 1, Message: fmt.Sprintf("cannot parse YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, Line: 1, Column: 1, Message: "the file is empty; write a spec (redisctl init writes a starter one)"}}
		}
		return nil, Problems{syntaxProblem(name, data, err)}
	}
	if len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		return nil, Problems{{File: name, Line: 1, Column: 1, Message: "the file is empty; write a spec (redisctl init writes a starter one)"}}
	}
	root = resolve(doc.Content[0])
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, Problems{syntaxProblem(name, data, err)}
	default:
		at := pos{next.Line, next.Column} // the document start; its content may begin past the end of the file
		if at.Line < 1 {
			at = pos{1, 1}
		}
		probs.addf(name, at, "", "a spec file holds one document; remove this second one (after ---)")
	}
	if root.Kind != yaml.MappingNode {
		probs.addf(name, posOf(root), "", "a spec is a mapping (apiVersion: %s, kind: %s, name: ..., ...), got %s", APIVersion, Kind, describe(root))
		return nil, probs
	}
	return root, probs
}

// checkVersion reports a missing or unsupported apiVersion or kind, and
// whether decoding should go on: a spec of another version is not read
// further, since its fields would only add noise.
func (d *decoder) checkVersion(root *yaml.Node) bool {
	ok := true
	check := func(key, want, hint string) {
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := resolve(root.Content[i]), resolve(root.Content[i+1])
			if k.Value != key {
				continue
			}
			if v.Kind == yaml.ScalarNode && v.Value == want {
				return
			}
			ok = false
			d.fail(v, key, "%s is not supported; this redisctl reads %s: %s%s", describe(v), key, want, hint)
			return
		}
		d.failAt(posOf(root), key, "missing; add %s: %s", key, want)
	}
	check("apiVersion", APIVersion, " (a newer redisctl may read this spec)")
	check("kind", Kind, "")
	return ok
}

// DecodeSettings strictly decodes the provider block's settings
// (spec.Provider.Settings, every key but name) into out, a pointer to the
// provider's own settings struct. Unknown fields and wrong types come back as
// a Problems error positioned in the spec file. Nil settings leave out as it
// is. Fields are named by their yaml tags; custom scalars implement
// encoding.TextUnmarshaler or Enum.
func DecodeSettings(spec *Spec, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("decode provider settings: need a non-nil pointer, got %T", out)
	}
	if spec.Provider.Settings == nil {
		return nil
	}
	d := newDecoder(spec.Source)
	d.context = fmt.Sprintf("in the %s provider settings", spec.Provider.Name)
	d.decode(spec.Provider.Settings, v.Elem(), "provider")
	return d.probs.err()
}

// Problemf builds a problem about the field at path (e.g. "provider.region"),
// positioned where the spec file wrote it, or where its nearest enclosing
// field was written when it was left out. Providers use it to report their
// own checks the way Validate does.
func (s *Spec) Problemf(path, format string, args ...any) Problem {
	p := Problem{File: s.Source, Path: path, Message: fmt.Sprintf(format, args...)}
	if s.src != nil {
		at := s.src.at(path)
		p.Line, p.Column = at.Line, at.Column
	}
	return p
}

// keyProblemf is Problemf positioned at the key naming path (map entries).
func (s *Spec) keyProblemf(path, format string, args ...any) Problem {
	p := s.Problemf(path, format, args...)
	if s.src != nil {
		at := s.src.keyAt(path)
		p.Line, p.Column = at.Line, at.Column
	}
	return p
}

// given reports whether the spec set the field at path. For a spec built in
// code, where nothing records what was written, a non-zero value counts.
func (s *Spec) given(path string, nonZero bool) bool {
	if s.src == nil {
		return nonZero
	}
	_, ok := s.src.value[path]
	return ok
}
