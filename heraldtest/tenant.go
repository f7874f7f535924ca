package heraldtest

import "github.com/heraldhq/herald/jobs"

// ForTenant returns a Client bound to tenant name, for an embedder that
// serves several tenants: it schedules and reads that tenant's posts
// only, under the app's ids, as the API's keys of that tenant do
// (jobs.Client.ForTenant; h.Client is the default tenant's). Connect the
// tenant's accounts with h.Vault under tenant.Qualify(name, id). A name
// tenant.Check refuses makes every call of the Client fail with that
// error. Wait and its kin read the default tenant's posts; read a
// tenant's with the returned Client's PostStatus.
func (h *Herald) ForTenant(name string) *jobs.Client { return h.Client.ForTenant(name) }
