package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// tenantsOf reads HERALD_TENANTS as the worker and the webhooks commands
// need it: which tenant each webhook endpoint serves, and the tenants the
// metrics' tenant label takes. A process not given HERALD_API_TOKENS (a
// worker) takes the members that name no webhook endpoint as API key
// names on trust; one not given HERALD_WEBHOOKS takes the others as
// endpoint names.
// (config.Config.TenantConfig on branch tenants-core does the same,
// checked at Load; this gives way to it once both are merged.)
func tenantsOf(cfg config.Config) (tenant.Config, error) {
	var keys, hooks []string
	for _, item := range strings.Split(cfg.APITokens, ",") {
		if name, _, ok := strings.Cut(item, ":"); ok && strings.TrimSpace(name) != "" {
			keys = append(keys, strings.TrimSpace(name))
		}
	}
	for _, ep := range cfg.WebhookEndpoints() {
		hooks = append(hooks, ep.Name)
	}
	for _, entry := range strings.Split(cfg.Tenants, ";") {
		_, members, _ := strings.Cut(entry, ":")
		for _, m := range strings.Split(members, ",") {
			if m = strings.TrimSpace(m); m == "" || slices.Contains(keys, m) || slices.Contains(hooks, m) {
				continue
			}
			if cfg.APITokens == "" {
				keys = append(keys, m)
			} else if cfg.Webhooks == "" {
				hooks = append(hooks, m)
			}
		}
	}
	return tenant.Parse(cfg.Tenants, keys, hooks)
}

// tenantStream is the events stream `herald events tail --tenant t`
// reads. t must be a tenant name and, where HERALD_TENANTS is set, one of
// its tenants: a misspelt tenant would follow an empty stream forever.
func tenantStream(cfg config.Config, t string) (string, error) {
	if err := tenant.Check(t); err != nil {
		return "", fmt.Errorf("--tenant: %w", err)
	}
	if cfg.Tenants != "" {
		tc, err := tenantsOf(cfg)
		if err != nil {
			return "", err
		}
		if !tc.Has(t) {
			return "", fmt.Errorf("--tenant=%s: not a tenant of HERALD_TENANTS (%s)", t, strings.Join(tc.Names(), ", "))
		}
	}
	return events.StreamOf(t), nil
}

// noteEmptyStream tells stderr when stream does not exist yet (no event
// of its tenant so far), so a tail that prints nothing is explained.
func noteEmptyStream(ctx context.Context, rdb redis.UniversalClient, stream string, stderr io.Writer) {
	if n, err := rdb.Exists(ctx, stream).Result(); err == nil && n == 0 {
		fmt.Fprintf(stderr, "no events in %s yet; waiting\n", stream)
	}
}
