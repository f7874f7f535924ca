// Package events is Herald's event stream: every state change of a post,
// an account or its analytics is appended to the Redis stream
// herald:events (Stream), which product apps read, and which the worker
// turns into webhook deliveries (package webhook).
//
// An Event's JSON form is a contract with product apps: it is what
// webhooks deliver and what `herald events tail --json` prints, with the
// types listed below (post.published, account.disconnected, ...).
//
// A Writer appends (jobs, the Vault's hooks and the platforms' notices
// do); a Reader reads as one consumer of a consumer group, so that the
// processes of an app share the events, each handed to one of them, and
// those a crashed consumer left unacknowledged are handed out again:
//
//	r, err := events.NewReader(ctx, rdb, "my-app", "")
//	if err != nil { ... }
//	defer r.Close(context.Background())
//	err = r.Consume(ctx, func(ctx context.Context, e events.Event) error {
//		return handle(e) // nil acknowledges e; an error leaves it pending
//	})
//
// Delivery is at least once: a consumer that must not act twice keeps the
// ids (Event.ID) it handled. The stream is capped (DefaultMaxLen): a
// consumer that falls further behind loses the oldest events, so the
// records, not the stream, are the truth about a post (jobs.PostStatus).
//
// A consumer group remembers every consumer name that read from it.
// Reader.Close removes the reader's own (unless events are still pending
// with it), and each scan for abandoned events removes consumers that
// hold none and were idle for ClaimAfter, so restarts leave nothing
// behind.
package events
