package api

import (
	"context"
	"net/http"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// Every request acts for the tenant of its API key (Options.Tenants):
// handlers reach posts through that tenant's jobs.Client and accounts
// through the Vault under the tenant's stored ids (tenant.Qualify), and
// answer with the app's ids. Another tenant's account or post is then a
// key that does not exist, answered 404 by the same code as a missing
// one.

// caller is who a request acts for: its key's name and tenant.
type caller struct{ key, tenant string }

type callerKey struct{}

// withCaller is r with its key's name and tenant, once authenticated.
func (a *API) withCaller(r *http.Request, key string) *http.Request {
	c := caller{key: key, tenant: a.o.Tenants.OfKey(key)}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// callerOf is r's caller; an unauthenticated request (a public route)
// has none and acts for no tenant's data.
func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	if c.tenant == "" {
		c.tenant = tenant.Default
	}
	return c
}

// client is the jobs.Client of r's tenant.
func (a *API) client(r *http.Request) *jobs.Client {
	t := callerOf(r).tenant
	if c, ok := a.clients[t]; ok {
		return c
	}
	return a.o.Client.ForTenant(t)
}

// account checks an account id r names as field by the app's id rule
// (which has no tenant.Sep, so no app can name a stored id) and returns
// the stored id of r's tenant.
func (a *API) account(r *http.Request, field, id string) (string, *problem) {
	if p := checkID(field, id); p != nil {
		return "", p
	}
	return tenant.Qualify(callerOf(r).tenant, id), nil
}

// appID is the app's id of a stored id.
func appID(stored string) string {
	_, id := tenant.Split(stored)
	return id
}

// appInfo is info as its app sees it: its own account id.
func appInfo(info tokens.Info) tokens.Info {
	info.ID = appID(info.ID)
	return info
}
