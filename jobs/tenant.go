package jobs

import (
	"github.com/heraldhq/herald/tenant"
)

// A Client acts for one tenant (package tenant): every post and account
// id a method takes is the tenant's own, qualified (tenant.Qualify)
// before it names anything in Redis, and every id a method returns is
// the tenant's own again. Another tenant's post is then simply a key
// that does not exist: it answers ErrNotFound by the same code path as
// a post nobody scheduled, and no listing, batch or export can reach
// it. A Client is bound to its tenant when it is made (WithTenant; the
// default tenant if not given), or derived for another with ForTenant,
// so a Go app names its tenant once and cannot cross into another by
// passing an id.
//
// Inside, ids are stored ids: the payloads of tasks, the records, the
// indexes, the events, the Vault and its hooks (VaultHooks) all carry
// them, and the unexported methods take them. Operator-wide calls
// (EnqueueSweep, NewRetentionSweep) work across all tenants whatever
// the Client's.

// WithTenant binds the Client to tenant t (default tenant.Default). A
// name tenant.Check refuses makes every method that names a post or an
// account return that error.
func WithTenant(t string) ClientOption { return func(o *clientOptions) { o.tenant = t } }

// ForTenant returns a Client like c bound to tenant t instead, sharing
// c's connections and options; c is unchanged. It costs an allocation,
// so the API derives one per tenant at start rather than per request.
func (c *Client) ForTenant(t string) *Client {
	cc := *c
	cc.opts.tenant = t
	cc.tenantErr = checkTenant(t)
	return &cc
}

// Tenant is the tenant c acts for.
func (c *Client) Tenant() string {
	if c.opts.tenant == "" {
		return tenant.Default
	}
	return c.opts.tenant
}

// checkTenant is nil for a tenant name ("" is the default), else a
// FieldError naming "tenant".
func checkTenant(t string) error {
	if t == "" {
		return nil
	}
	if err := tenant.Check(t); err != nil {
		return &FieldError{Field: "tenant", Problem: err.Error()}
	}
	return nil
}

// own checks an id an app gave as field by the app's id rule (which has
// no tenant.Sep: an app cannot name a stored id) and returns the stored
// id of c's tenant.
func (c *Client) own(field, id string) (string, error) {
	if c.tenantErr != nil {
		return "", c.tenantErr
	}
	if err := checkID(field, id); err != nil {
		return "", err
	}
	return tenant.Qualify(c.opts.tenant, id), nil
}

// ownPost is p, checked already, with the stored ids of c's tenant.
func (c *Client) ownPost(p Post) Post {
	p.ID = tenant.Qualify(c.opts.tenant, p.ID)
	p.AccountID = tenant.Qualify(c.opts.tenant, p.AccountID)
	if p.GroupID != "" {
		p.GroupID = tenant.Qualify(c.opts.tenant, p.GroupID)
	}
	return p
}

// appID is the app's id of a stored id: what errors and answers show.
func appID(stored string) string {
	_, id := tenant.Split(stored)
	return id
}

// forApp is st with the app's ids.
func (st PostStatus) forApp() PostStatus {
	st.PostID, st.AccountID, st.GroupID = appID(st.PostID), appID(st.AccountID), appID(st.GroupID)
	return st
}

// forApp is p with the app's ids.
func (p Post) forApp() Post {
	p.ID, p.AccountID, p.GroupID = appID(p.ID), appID(p.AccountID), appID(p.GroupID)
	return p
}
