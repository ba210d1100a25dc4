package topology

import (
	"encoding"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// Enum is implemented by string types that take one of a fixed set of
// values. The decoder rejects other values, listing these, and the schema
// offers them to editors.
type Enum interface {
	EnumValues() []string
}

// nodeDecoder is implemented by spec types that decode their YAML shape
// themselves (the provider block).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

// pos is a 1-based line and column in the spec file.
type pos struct{ Line, Column int }

func posOf(n *yaml.Node) pos { return pos{n.Line, n.Column} }

// sourceMap remembers where each field of a decoded spec was written, so that
// validation, which runs on the decoded values, can still point at the text.
type sourceMap struct {
	root   pos
	value  map[string]pos    // field path → where its value starts (non-null values only)
	key    map[string]pos    // field path → where its key starts (mapping entries)
	parent map[string]string // field path → enclosing path
}

func newSourceMap() *sourceMap {
	return &sourceMap{value: map[string]pos{}, key: map[string]pos{}, parent: map[string]string{}}
}

// at returns where path was written, or where its nearest written ancestor
// was, or the start of the document.
func (m *sourceMap) at(path string) pos {
	for p := path; p != ""; p = m.parentOf(p) {
		if at, ok := m.value[p]; ok {
			return at
		}
	}
	return m.root
}

// parentOf returns the path enclosing p: as recorded while decoding, or
// for a path that was never written, p without its last segment.
func (m *sourceMap) parentOf(p string) string {
	if parent, ok := m.parent[p]; ok {
		return parent
	}
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}

// keyAt returns where the key naming path was written, falling back to at.
func (m *sourceMap) keyAt(path string) pos {
	if at, ok := m.key[path]; ok {
		return at
	}
	return m.at(path)
}

// maxDecodeSteps bounds the work a document can cause through aliases that
// expand to ever larger trees.
const maxDecodeSteps = 1 << 18

// decoder walks a yaml.v3 node tree into Go values strictly, collecting every
// problem instead of stopping at the first.
type decoder struct {
	file  string
	src   *sourceMap
	probs Problems
	// bad holds the paths that failed to decode; validation problems on them
	// or below them would only repeat the same mistake.
	bad map[string]bool
	// context is added to unknown-field messages ("in the aws provider settings").
	context string
	steps   int
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, src: newSourceMap(), bad: map[string]bool{}}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.failAt(posOf(n), path, format, args...)
}

func (d *decoder) failAt(at pos, path, format string, args ...any) {
	d.bad[path] = true
	d.probs.addf(d.file, at, path, format, args...)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// childPath names a mapping entry below path.
func childPath(path, key string) string {
	if !identRE.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func (d *decoder) link(path, parent string) {
	if path != parent {
		d.src.parent[path] = parent
	}
}

// decode stores n into v, the value at path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if d.steps++; d.steps > maxDecodeSteps {
		if d.steps == maxDecodeSteps+1 {
			d.fail(n, path, "document too large (aliases expand to more than %d values)", maxDecodeSteps)
		}
		return
	}
	if n == nil || isNull(n) {
		return // an empty value leaves the field unset; defaults apply
	}
	d.src.value[path] = posOf(n)

	if v.Kind() == reflect.Pointer && v.Type() != reflect.TypeFor[*yaml.Node]() {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
		return
	}
	switch {
	case v.Type() == reflect.TypeFor[yaml.Node]():
		v.Set(reflect.ValueOf(*n))
		return
	case v.Type() == reflect.TypeFor[*yaml.Node]():
		v.Set(reflect.ValueOf(n))
		return
	}
	if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
		nd.decodeNode(d, n, path)
		return
	}
	if e, ok := v.Interface().(Enum); ok && v.Kind() == reflect.String {
		d.decodeEnum(n, v, e.EnumValues(), path)
		return
	}
	if tu, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a string, got %s", describe(n))
			return
		}
		if err := tu.UnmarshalText([]byte(n.Value)); err != nil {
			d.fail(n, path, "%s", err.Error())
		}
		return
	}
	if v.Type() == reflect.TypeFor[time.Duration]() {
		d.decodeDuration(n, v, path)
		return
	}
	d.decodeKind(n, v, path)
}

func (d *decoder) decodeKind(n *yaml.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.fail(n, path, "expected an integer, got %s", describe(n))
			return
		}
		if v.OverflowInt(i) {
			d.fail(n, path, "%s is too large", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&u) != nil {
			d.fail(n, path, "expected a non-negative integer, got %s", describe(n))
			return
		}
		if v.OverflowUint(u) {
			d.fail(n, path, "%s is too large", n.Value)
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!float" && tag != "!!int") || n.Decode(&f) != nil {
			d.fail(n, path, "expected a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic(fmt.Sprintf("topology: cannot decode into %s (field %s)", v.Type(), path))
	}
}

func (d *decoder) decodeEnum(n *yaml.Node, v reflect.Value, allowed []string, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected one of %s, got %s", strings.Join(allowed, ", "), describe(n))
		return
	}
	for _, a := range allowed {
		if n.Value == a {
			v.SetString(a)
			return
		}
	}
	msg := fmt.Sprintf("%s is not one of %s", describe(n), strings.Join(allowed, ", "))
	if s := suggest(n.Value, allowed); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	d.fail(n, path, "%s", msg)
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected a duration such as 30s or 5m, got %s", describe(n))
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		d.fail(n, path, "expected a duration such as 30s or 5m, got %s", describe(n))
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields := structFields(v.Type())
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	for _, p := range d.pairs(n, path) {
		child := childPath(path, p.key.Value)
		f, ok := fields.byName[p.key.Value]
		if !ok {
			d.unknownField(p.key, path, p.key.Value, fields.names)
			continue
		}
		d.src.key[child] = posOf(p.key)
		d.link(child, path)
		d.decode(p.value, v.FieldByIndex(f.index), child)
	}
}

// unknownField reports key, an unknown field of the struct at parent. A
// suggested field is marked bad too: its value is likely the misspelled one,
// so checks on the value it holds now would mislead.
func (d *decoder) unknownField(key *yaml.Node, parent, name string, known []string) {
	msg := fmt.Sprintf("unknown field %q", name)
	if d.context != "" {
		msg += " " + d.context
	}
	path := childPath(parent, name)
	switch s := suggest(name, known); {
	case s != "":
		d.bad[childPath(parent, s)] = true
		msg += fmt.Sprintf("; did you mean %q?", s)
	case len(known) > 0 && len(known) <= 6:
		msg += "; known fields: " + strings.Join(known, ", ")
	}
	d.fail(key, path, "%s", msg)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		child := indexPath(path, i)
		d.link(child, path)
		d.decode(item, out.Index(i), child)
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if v.Type().Key().Kind() != reflect.String {
		panic(fmt.Sprintf("topology: map keys must be strings (field %s)", path))
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	out := reflect.MakeMap(v.Type())
	for _, p := range d.pairs(n, path) {
		child := childPath(path, p.key.Value)
		d.src.key[child] = posOf(p.key)
		d.link(child, path)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(p.value, elem, child)
		out.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(out)
}

type pair struct{ key, value *yaml.Node }

// pairs returns a mapping's entries with merge keys (<<) expanded, reporting
// duplicate and non-scalar keys. Explicit keys win over merged ones, and
// earlier merge sources over later ones, as YAML's merge key type says.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	seen := map[string]*yaml.Node{}
	var out []pair
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "mapping keys must be plain names, got %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k, childPath(path, k.Value), "duplicate key %q (first given at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, m := range merges {
		for _, src := range d.mergeSources(m, path) {
			for _, p := range d.pairs(src, path) {
				if _, ok := seen[p.key.Value]; !ok {
					seen[p.key.Value] = p.key
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func (d *decoder) mergeSources(m *yaml.Node, path string) []*yaml.Node {
	m = resolve(m)
	var srcs []*yaml.Node
	switch m.Kind {
	case yaml.MappingNode:
		srcs = []*yaml.Node{m}
	case yaml.SequenceNode:
		for _, item := range m.Content {
			srcs = append(srcs, resolve(item))
		}
	default:
		srcs = []*yaml.Node{m}
	}
	var ok []*yaml.Node
	for _, s := range srcs {
		if s.Kind != yaml.MappingNode {
			d.fail(s, path, "a merge key (<<) needs a mapping or a list of mappings, got %s", describe(s))
			continue
		}
		ok = append(ok, s)
	}
	return ok
}

// recordTree notes the position of every value below n without decoding it,
// for blocks decoded later (provider settings).
// Aliases are not followed: an alias is positioned where it is written, and
// a tree of aliases cannot make this walk expand.
func (d *decoder) recordTree(n *yaml.Node, path string, depth int) {
	if n == nil || depth > 32 {
		return
	}
	if !isNull(n) {
		d.src.value[path] = posOf(n)
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				continue
			}
			child := childPath(path, k.Value)
			d.src.key[child] = posOf(k)
			d.link(child, path)
			d.recordTree(n.Content[i+1], child, depth+1)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := indexPath(path, i)
			d.link(child, path)
			d.recordTree(item, child, depth+1)
		}
	}
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!null":
			return "nothing"
		}
		return n.Value
	}
	return "nothing"
}

type fieldInfo struct {
	name  string
	index []int
	field reflect.StructField
}

type fieldSet struct {
	byName map[string]fieldInfo
	names  []string // in declaration order
	list   []fieldInfo
}

var fieldCache sync.Map // reflect.Type → *fieldSet

// structFields lists the YAML fields of a struct type the way yaml.v3 names
// them: the yaml tag's name, else the lowercased field name; "-" skips a
// field and ",inline" lifts an embedded struct's fields.
func structFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byName: map[string]fieldInfo{}}
	collectFields(t, nil, fs)
	fieldCache.Store(t, fs)
	return fs
}

func collectFields(t reflect.Type, index []int, fs *fieldSet) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		idx := append(append([]int(nil), index...), i)
		if strings.Contains(","+opts+",", ",inline,") {
			if f.Type.Kind() != reflect.Struct {
				panic(fmt.Sprintf("topology: inline field %s must be a struct", f.Name))
			}
			collectFields(f.Type, idx, fs)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fi := fieldInfo{name: name, index: idx, field: f}
		fs.byName[name] = fi
		fs.names = append(fs.names, name)
		fs.list = append(fs.list, fi)
	}
}

// suggest returns the candidate closest to s when it is close enough to be a
// likely typo (same letters in another case, or at most two edits away).
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		limit := 2
		if len(c) <= 3 {
			limit = 1
		}
		if dist := editDistance(strings.ToLower(s), strings.ToLower(c)); dist <= limit && dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
