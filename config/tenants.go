package config

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald/tenant"
)

// TenantConfig returns HERALD_TENANTS read against the API keys and
// webhook endpoints configured: which tenant each serves. Load has
// checked it; without HERALD_TENANTS every key and endpoint serves
// tenant.Default.
func (c Config) TenantConfig() tenant.Config {
	t, _ := c.tenants()
	return t
}

// tenants parses HERALD_TENANTS. A process is given only the settings it
// uses (compose gives herald api its keys and the background worker the
// webhook endpoints), so a member this process cannot check, because
// HERALD_API_TOKENS or HERALD_WEBHOOKS is not set here, is taken on
// trust as a name of the unset kind; where both are set, every member
// must name one of them.
func (c Config) tenants() (tenant.Config, error) {
	keys, hooks, _ := c.tenantNames()
	return tenant.Parse(c.Tenants, keys, hooks)
}

// tenantNames are the API key names and webhook endpoint names
// HERALD_TENANTS is checked against, and which of them are taken on
// trust (see tenants).
func (c Config) tenantNames() (keys, hooks []string, trusted map[string]bool) {
	keys = apiKeyNames(c.APITokens)
	eps, _ := parseWebhooks(c.Webhooks, "")
	for _, ep := range eps {
		hooks = append(hooks, ep.Name)
	}
	trusted = map[string]bool{}
	for _, m := range tenantMembers(c.Tenants) {
		if slices.Contains(keys, m) || slices.Contains(hooks, m) || trusted[m] {
			continue
		}
		if c.APITokens == "" {
			keys, trusted[m] = append(keys, m), true
		}
		if c.Webhooks == "" {
			hooks, trusted[m] = append(hooks, m), true
		}
	}
	return keys, hooks, trusted
}

// apiKeyNames are the names of HERALD_API_TOKENS' keys, never a token.
// Malformed entries are the API's to report (api.ParseTokens).
func apiKeyNames(spec string) []string {
	var names []string
	for _, item := range splitList(spec) {
		if name, _, ok := strings.Cut(item, ":"); ok && strings.TrimSpace(name) != "" {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

// tenantMembers lists every member HERALD_TENANTS names; tenant.Parse
// reports what is malformed.
func tenantMembers(spec string) []string {
	var out []string
	for _, entry := range strings.Split(spec, ";") {
		if _, members, ok := strings.Cut(entry, ":"); ok {
			out = append(out, splitList(members)...)
		}
	}
	return out
}

// Tenant is one tenant as herald doctor shows it: the names (never the
// secrets) of the API keys and webhook endpoints that serve it.
type Tenant struct {
	Name      string
	Keys      []string
	Endpoints []string
	// Unchecked are the members this process took on trust: names of
	// keys or endpoints whose setting it was not given.
	Unchecked []string
}

// TenantList lists every tenant, tenant.Default first, with its keys and
// endpoints: those HERALD_TENANTS does not assign serve the default.
func (c Config) TenantList() []Tenant {
	tc, err := c.tenants()
	if err != nil {
		return nil
	}
	keys, hooks, trusted := c.tenantNames()
	out := make([]Tenant, 0, len(tc.Names()))
	at := map[string]int{}
	for i, n := range tc.Names() {
		out, at[n] = append(out, Tenant{Name: n}), i
	}
	for _, k := range keys {
		t := &out[at[tc.OfKey(k)]]
		if trusted[k] {
			if !slices.Contains(t.Unchecked, k) {
				t.Unchecked = append(t.Unchecked, k)
			}
			continue
		}
		t.Keys = append(t.Keys, k)
	}
	for _, h := range hooks {
		t := &out[at[tc.OfEndpoint(h)]]
		if trusted[h] {
			if !slices.Contains(t.Unchecked, h) {
				t.Unchecked = append(t.Unchecked, h)
			}
			continue
		}
		t.Endpoints = append(t.Endpoints, h)
	}
	return out
}
