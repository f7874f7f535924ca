// Package tenant names the product apps that share one Herald deployment
// and keeps their ids apart.
//
// Every account, post and event belongs to exactly one tenant. An app
// names its accounts and posts with its own ids (input.CheckID's
// characters), and two tenants may both use "acct-1". Inside Herald
// (Redis keys, task ids, token records) an id is qualified with its
// tenant by Qualify: "shop~acct-1". The separator "~" is not an id
// character, so no app id can pose as another tenant's, and the default
// tenant's ids are left as they are, so a deployment without tenants
// keeps its data unchanged.
//
// The boundaries (the API, the CLI, jobs.Client, the event writer)
// qualify what comes in and Split what goes out; everything between them
// treats a qualified id as opaque.
package tenant
