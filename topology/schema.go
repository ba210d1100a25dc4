package topology

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// SchemaID identifies the JSON Schema of this spec version.
const SchemaID = "https://redisctl.io/schemas/v1alpha1/deployment.json"

// SchemaType is implemented by custom scalar types (in this package or in a
// provider's settings) that describe their own JSON Schema.
type SchemaType interface {
	JSONSchema() map[string]any
}

// FieldDocumenter is implemented by provider settings structs to describe
// their fields in the schema; keys are Go field names.
type FieldDocumenter interface {
	FieldDocs() map[string]string
}

// JSONSchema returns a JSON Schema (draft 2020-12) of the spec for editors.
// providerSettings maps each provider's name to a zero value of its settings
// struct; the provider block then allows exactly that provider's settings
// (decoded by the same rules as DecodeSettings). With no providers given,
// the block allows any settings.
func JSONSchema(providerSettings map[string]any) ([]byte, error) {
	g := &schemaGen{providers: providerSettings}
	root := g.structSchema(reflect.TypeFor[Spec](), defaultedSpec())
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = fmt.Sprintf("redisctl %s (%s)", Kind, APIVersion)
	root["description"] = "A redisctl deployment: its layout, size, data protection and where it runs. Reference: docs/spec.md."
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("json schema: %w", err)
	}
	return append(b, '\n'), nil
}

// defaultedSpec is an empty spec after Default: the layout-independent
// defaults, shown in the schema and the reference.
func defaultedSpec() reflect.Value {
	s := &Spec{}
	Default(s)
	return reflect.ValueOf(s).Elem()
}

// fieldRules are the checks of Validate that a schema can state without
// knowing the layout, keyed by "Type.Field".
var fieldRules = map[string]map[string]any{
	"Spec.APIVersion": {"const": APIVersion},
	"Spec.Kind":       {"const": Kind},
	"Spec.Name":       {"pattern": namePattern},
	"Spec.Shards":     {"minimum": 0, "maximum": MaxShards},
	"Spec.Replicas":   {"minimum": 0, "maximum": MaxReplicas},
	"Spec.Sentinels":  {"minimum": 0},
	"Spec.Zones":      {"uniqueItems": true, "items": map[string]any{"type": "string", "minLength": 1}},
	"Spec.Labels": {
		"propertyNames":        map[string]any{"pattern": labelKeyPattern},
		"additionalProperties": map[string]any{"type": "string", "pattern": labelValuePattern},
	},
	"Network.BasePort": {"minimum": 1, "maximum": 65535},
	"Provider.Name":    {"pattern": providerPattern},
}

// requiredFields are the fields a spec must write; everything else has a default.
var requiredFields = map[string]bool{"Spec.APIVersion": true, "Spec.Kind": true, "Spec.Name": true}

type schemaGen struct {
	providers map[string]any
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	if t == reflect.TypeFor[*yaml.Node]() || t == reflect.TypeFor[yaml.Node]() || t.Kind() == reflect.Interface {
		return map[string]any{}
	}
	if t.Kind() == reflect.Pointer {
		return g.typeSchema(t.Elem())
	}
	zero := reflect.New(t)
	if st, ok := zero.Elem().Interface().(SchemaType); ok {
		return st.JSONSchema()
	}
	if e, ok := zero.Elem().Interface().(Enum); ok && t.Kind() == reflect.String {
		return map[string]any{"type": "string", "enum": e.EnumValues()}
	}
	if _, ok := zero.Interface().(encoding.TextUnmarshaler); ok {
		return map[string]any{"type": "string"}
	}
	if t == reflect.TypeFor[time.Duration]() {
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())}
	case reflect.Struct:
		return g.structSchema(t, reflect.Value{})
	}
	panic(fmt.Sprintf("topology: no JSON Schema for %s", t))
}

// structSchema describes a struct; defaults, when valid, is a value of t
// whose non-zero scalar fields are the defaults.
func (g *schemaGen) structSchema(t reflect.Type, defaults reflect.Value) map[string]any {
	props := map[string]any{}
	var required []string
	docs := docsFor(t)
	for _, f := range structFields(t).list {
		key := t.Name() + "." + f.field.Name
		var s map[string]any
		if f.field.Type == reflect.TypeFor[Provider]() {
			s = g.providerSchema()
		} else {
			var def reflect.Value
			if defaults.IsValid() {
				def = defaults.FieldByIndex(f.index)
			}
			if def.IsValid() && plainStruct(f.field.Type) {
				s = g.structSchema(f.field.Type, def)
			} else {
				s = g.typeSchema(f.field.Type)
				if def.IsValid() && !def.IsZero() {
					s["default"] = jsonValue(def)
				}
			}
		}
		maps.Copy(s, fieldRules[key])
		if doc := docs(f.field.Name); doc != "" {
			s["description"] = doc
		}
		if requiredFields[key] {
			required = append(required, f.name)
		}
		props[f.name] = s
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if doc := docs(""); doc != "" {
		out["description"] = doc
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// plainStruct reports whether t is described field by field (not a custom
// scalar such as Quantity or SecretRef).
func plainStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[yaml.Node]() {
		return false
	}
	v := reflect.New(t)
	_, custom := v.Elem().Interface().(SchemaType)
	_, text := v.Interface().(encoding.TextUnmarshaler)
	return !custom && !text
}

// docsFor returns a lookup of t's field docs ("" names the type itself):
// the generated comments for this package's types, FieldDocs for others.
func docsFor(t reflect.Type) func(field string) string {
	_, documented := reflect.New(t).Elem().Interface().(FieldDocumenter)
	if !documented && t.PkgPath() == reflect.TypeFor[Spec]().PkgPath() {
		return func(field string) string {
			if field == "" {
				return fieldDocs[t.Name()]
			}
			return fieldDocs[t.Name()+"."+field]
		}
	}
	var docs map[string]string
	if fd, ok := reflect.New(t).Elem().Interface().(FieldDocumenter); ok {
		docs = fd.FieldDocs()
	}
	return func(field string) string { return docs[field] }
}

func jsonValue(v reflect.Value) any {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// providerSchema describes the provider block: a name, and the settings of
// the provider it names.
func (g *schemaGen) providerSchema() map[string]any {
	name := map[string]any{"type": "string", "default": DefaultProvider}
	out := map[string]any{
		"type":       "object",
		"properties": map[string]any{"name": name},
	}
	if len(g.providers) == 0 {
		out["additionalProperties"] = true
		return out
	}
	names := slices.Sorted(maps.Keys(g.providers))
	if !slices.Contains(names, DefaultProvider) {
		names = append([]string{DefaultProvider}, names...)
	}
	name["enum"] = names
	var branches []any
	for _, p := range slices.Sorted(maps.Keys(g.providers)) {
		settings := g.typeSchema(reflect.TypeOf(g.providers[p]))
		cond := map[string]any{"properties": map[string]any{"name": map[string]any{"const": p}}, "required": []string{"name"}}
		var when any = cond
		if p == DefaultProvider {
			when = map[string]any{"anyOf": []any{cond, map[string]any{"not": map[string]any{"required": []string{"name"}}}}}
		}
		then := map[string]any{}
		for _, k := range []string{"properties", "required"} {
			if v, ok := settings[k]; ok {
				then[k] = v
			}
		}
		branches = append(branches, map[string]any{"if": when, "then": then})
	}
	out["allOf"] = branches
	out["unevaluatedProperties"] = false
	return out
}

// JSONSchema describes a memory amount.
func (Quantity) JSONSchema() map[string]any {
	return map[string]any{
		"type":     []string{"string", "integer"},
		"pattern":  `^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?$`,
		"minimum":  0,
		"examples": []string{"512Mi", "4Gi"},
	}
}

// JSONSchema describes a secret reference.
func (SecretRef) JSONSchema() map[string]any {
	return map[string]any{
		"type":     "string",
		"pattern":  `^(env:[A-Za-z_][A-Za-z0-9_]*|file:.*\S.*|generate)?$`,
		"examples": []string{"env:REDIS_PASSWORD", "file:/run/secrets/redis-password", "generate"},
	}
}
