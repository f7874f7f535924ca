package publishers

import (
	"fmt"
	"regexp"
	"sort"
)

// Registry maps platform names to publishers. It is filled once at start
// and read afterwards; it is not safe for concurrent Register calls.
type Registry struct {
	m map[string]Publisher
	// needs are the platforms' Needs, from RegistryOf.
	needs map[string]func(platformUserID string, c Content) []ScopeNeed
}

var platformName = regexp.MustCompile(`^[a-z][a-z0-9]{1,31}$`)

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{m: map[string]Publisher{}, needs: map[string]func(string, Content) []ScopeNeed{}}
}

// Register adds p under name. It panics on a bad or duplicate name: both
// are wiring mistakes caught at start.
func (r *Registry) Register(name string, p Publisher) {
	if !platformName.MatchString(name) {
		panic(fmt.Sprintf("publishers: bad platform name %q", name))
	}
	if _, dup := r.m[name]; dup {
		panic(fmt.Sprintf("publishers: platform %q registered twice", name))
	}
	r.m[name] = p
}

// Lookup returns the publisher of platform name.
func (r *Registry) Lookup(name string) (Publisher, bool) {
	p, ok := r.m[name]
	return p, ok
}

// Names lists the registered platforms, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
