// Package webhook delivers Herald's events to the product app's
// endpoints, signed, and verifies such deliveries on the receiving side.
//
// # Receiving
//
// Every delivery is an HTTP POST of one event as JSON (the schema of
// events.Event) with the headers Herald-Event-Id, Herald-Event-Type and
//
//	Herald-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//
// where t is the Unix time of signing and each v1 is the hex HMAC-SHA256,
// under one of the endpoint's secrets, of t, a full stop and the raw
// body. An endpoint with several secrets (during a rotation) gets one v1
// per secret. A receiver recomputes the HMAC over the body exactly as it
// arrived (before any JSON parsing), compares in constant time against
// every v1, and refuses a t older than a few minutes so a captured
// delivery cannot be replayed later. Verify does all of that.
//
// Deliveries are at least once: a receiver that must not act twice keeps
// the Herald-Event-Id header (the event's stream id) of what it handled.
//
// Every delivery carries one tenant's event (its "tenant" field says
// which): an endpoint receives the events of its Endpoint.Tenant and no
// other's, with the app's own account and post ids.
//
// # Sending
//
// The worker (jobs.WorkerConfig.Webhooks, a Config) runs a Dispatcher:
// for each tenant that has endpoints, a consumer of that tenant's events
// stream (events.StreamOf) in the group herald-webhooks (Group) that
// turns each event into one webhook:deliver task per enabled Endpoint of
// the tenant, on the webhooks queue; a worker that stops leaves the
// groups. A Redis outage does not stop the dispatcher: its readers retry
// until Redis answers (Config.ReadFailing hears when they fail), so the
// worker rides it out as asynq does. A tenant's events never reach another tenant's endpoint: the
// dispatcher reads them from the tenant's own stream, and the Deliverer
// drops a task whose event is not of its endpoint's tenant (HERALD_TENANTS
// moved the endpoint after the event was read). TaskAbout finds an
// account's deliveries for its erasure.
//
// The Deliverer runs those tasks: it signs and posts the event, retries
// failures with the worker's backoff, gives up on an event older than
// MaxAge, and disables an endpoint that answers 410 Gone until its URL
// changes or `herald webhooks enable NAME` (Enable) clears the flag
// herald:webhook:{NAME}:disabled. States says which endpoints are
// disabled, and whose events each receives. Config.Observe hears each
// outcome with the endpoint's tenant (the metrics' tenant label).
package webhook
