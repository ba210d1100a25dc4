package providers

import (
	"fmt"
	"sort"
	"strings"
)

// Factory builds a provider. It must be cheap and do no I/O: credentials and
// clients are set up on first use, so validate and plan of other providers
// never need them.
type Factory func() Provider

// Registry maps provider names to factories. cmd fills it in one place.
type Registry struct {
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a provider; registering a name twice is a programming error.
func (r *Registry) Register(name string, f Factory) {
	if _, dup := r.factories[name]; dup {
		panic("providers: " + name + " registered twice")
	}
	r.factories[name] = f
}

// Get builds the named provider.
func (r *Registry) Get(name string) (Provider, error) {
	f, ok := r.factories[name]
	if !ok {
		return nil, fmt.Errorf("unknown provider %q (available: %s)", name, strings.Join(r.Names(), ", "))
	}
	return f(), nil
}

// Names lists registered providers in alphabetical order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
