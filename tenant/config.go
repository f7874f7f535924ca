package tenant

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Config says which tenant each API key and each webhook endpoint serves.
// The zero Config has the default tenant only.
type Config struct {
	keys      map[string]string // API key name -> tenant
	endpoints map[string]string // webhook endpoint name -> tenant
	names     []string          // every tenant, Default first, then sorted
}

// Parse reads HERALD_TENANTS: semicolon-separated entries
// "tenant:member,member,..." where each member is the name of an API key
// (HERALD_API_TOKENS) or of a webhook endpoint (HERALD_WEBHOOKS). Keys
// and endpoints no entry names serve the default tenant. keys and
// endpoints are the configured names, so a member that names neither,
// or one named by two tenants, is an error.
//
//	HERALD_TENANTS="shop:shop-api,shop-hooks;blog:blog-api,blog-hooks"
func Parse(spec string, keys, endpoints []string) (Config, error) {
	c := Config{keys: map[string]string{}, endpoints: map[string]string{}}
	seen := map[string]bool{}
	var errs []error
	for i, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, members, ok := strings.Cut(entry, ":")
		name = strings.TrimSpace(name)
		if !ok {
			errs = append(errs, fmt.Errorf("HERALD_TENANTS entry %d: want tenant:member,member", i+1))
			continue
		}
		if err := Check(name); err != nil {
			errs = append(errs, fmt.Errorf("HERALD_TENANTS entry %d: %w", i+1, err))
			continue
		}
		if seen[name] {
			errs = append(errs, fmt.Errorf("HERALD_TENANTS entry %d: tenant %s listed twice", i+1, name))
			continue
		}
		seen[name] = true
		for _, m := range strings.Split(members, ",") {
			m = strings.TrimSpace(m)
			if m == "" {
				continue
			}
			isKey, isEndpoint := slices.Contains(keys, m), slices.Contains(endpoints, m)
			switch {
			case !isKey && !isEndpoint:
				errs = append(errs, fmt.Errorf("HERALD_TENANTS tenant %s: %q is neither an API key name (HERALD_API_TOKENS) nor a webhook endpoint name (HERALD_WEBHOOKS)", name, m))
			case isKey && c.keys[m] != "":
				errs = append(errs, fmt.Errorf("HERALD_TENANTS tenant %s: API key %q already belongs to tenant %s", name, m, c.keys[m]))
			case isEndpoint && c.endpoints[m] != "":
				errs = append(errs, fmt.Errorf("HERALD_TENANTS tenant %s: webhook endpoint %q already belongs to tenant %s", name, m, c.endpoints[m]))
			default:
				if isKey {
					c.keys[m] = name
				}
				if isEndpoint {
					c.endpoints[m] = name
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	c.names = []string{Default}
	for n := range seen {
		if n != Default {
			c.names = append(c.names, n)
		}
	}
	slices.Sort(c.names[1:])
	return c, nil
}

// Names returns every tenant: Default first, then the configured ones in
// order. It is the bounded set of values of the metrics' tenant label.
func (c Config) Names() []string {
	if len(c.names) == 0 {
		return []string{Default}
	}
	return slices.Clone(c.names)
}

// Has reports whether t is a configured tenant (Default always is).
func (c Config) Has(t string) bool { return t == Default || slices.Contains(c.names, t) }

// OfKey returns the tenant an API key (by name) acts for.
func (c Config) OfKey(name string) string { return orDefault(c.keys[name]) }

// OfEndpoint returns the tenant whose events a webhook endpoint (by
// name) receives.
func (c Config) OfEndpoint(name string) string { return orDefault(c.endpoints[name]) }

// Label returns t if it is configured, else "other": a metric label that
// stays bounded whatever ids Redis holds.
func (c Config) Label(t string) string {
	if c.Has(t) {
		return t
	}
	return Other
}

func orDefault(t string) string {
	if t == "" {
		return Default
	}
	return t
}
