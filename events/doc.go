// Package events is Herald's event stream: every state change of a post,
// an account or its analytics is appended to its tenant's Redis stream,
// which product apps read, and which the worker turns into webhook
// deliveries (package webhook).
//
// # One stream per tenant
//
// Each tenant (package tenant: a product app sharing the deployment) has
// a stream of its own, StreamOf(t): herald:events (Stream) for the
// default tenant, the one Herald always had, so a deployment without
// tenants keeps its events and consumer groups; herald:events:<tenant>
// for the others. A stream per tenant, rather than one stream read
// through a filter, means a reader of one tenant cannot see another's
// events at all: its XREADGROUP names its own stream, consumer groups are
// per stream, and Redis ACLs can give each app's own user its stream
// alone (~herald:events:shop). It costs a blocking read per tenant in the
// webhook dispatcher, and HERALD_EVENTS_MAX_LEN caps each stream.
//
// Herald stores ids qualified with their tenant ("shop~acct-1") and
// builds events with them; the Writer appends each event to its tenant's
// stream with the app's own ids and a tenant field (Event.Local), so what
// the stream holds, webhooks deliver and Parse returns is what the app
// knows: {"tenant": "shop", "account_id": "acct-1", ...}. An event whose
// ids name two tenants is refused. Writer.Forget (an account's erasure)
// scrubs the account's tenant's stream only: another tenant's "acct-1"
// keeps its events.
//
// An Event's JSON form is a contract with product apps: it is what
// webhooks deliver and what `herald events tail --json` prints, with the
// types listed below (post.published, account.disconnected, ...).
//
// # Reading
//
// A Writer appends (jobs, the Vault's hooks and the platforms' notices
// do; a Lua script that appends in the same step as its change uses
// Event.Stream and Event.Fields). A Reader reads one tenant's stream as
// one consumer of a consumer group, so that the processes of an app share
// the events, each handed to one of them, and those a crashed consumer
// left unacknowledged are handed out again. The tenant is required:
//
//	r, err := events.NewReader(ctx, rdb, tenant.Default, "my-app", "")
//	if err != nil { ... }
//	defer r.Close(context.Background())
//	err = r.Consume(ctx, func(ctx context.Context, e events.Event) error {
//		return handle(e) // nil acknowledges e; an error leaves it pending
//	})
//
// Consume outlives Redis: a read that fails (a restart, a failover) is
// retried with a growing, capped wait for as long as it takes, and only
// its context ends it. Reader.Logger and Reader.OnFailing hear when reads
// start failing and when they work again; a group lost with Redis's data
// is joined again from the start of the stream.
//
// Delivery is at least once: a consumer that must not act twice keeps the
// ids (Event.ID) it handled; stream ids are unique within a tenant's
// stream. Each stream is capped (DefaultMaxLen): a consumer that falls
// further behind loses the oldest events, so the records, not the
// stream, are the truth about a post (jobs.PostStatus).
//
// A consumer group remembers every consumer name that read from it.
// Reader.Close removes the reader's own (unless events are still pending
// with it), and each scan for abandoned events removes consumers that
// hold none and were idle for ClaimAfter, so restarts leave nothing
// behind.
package events
