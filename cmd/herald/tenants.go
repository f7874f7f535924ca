package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// tenantsOf is HERALD_TENANTS as config.Load checked it: which tenant
// each webhook endpoint serves, and the tenants the metrics' tenant label
// takes.
func tenantsOf(cfg config.Config) (tenant.Config, error) {
	return cfg.TenantConfig(), nil
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
