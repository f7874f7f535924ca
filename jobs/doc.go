// Package jobs is Herald's post lifecycle: the task types and their
// payloads, the Client product apps schedule posts through, and the Worker
// that publishes them. Its neighbours each do one job of their own: the
// events stream (package events), webhook delivery (package webhook),
// analytics (package analytics) and the token Vault (package tokens); the
// Worker runs their handlers beside its own.
//
// Every post has a publication record in Redis, keyed by the caller's post
// id, that is the truth about the post: scheduled, publishing, published,
// failed or canceled, with attempts, the platform's id and URL, and the
// checkpoints a publisher saved on the way. asynq's task is only the
// alarm clock that says "look at this post now":
//
//   - SchedulePost writes the record and a task whose TaskID derives from
//     the post id, so scheduling twice is a no-op and a different post
//     under the same id is a Conflict. On a single Redis one script writes
//     both, the task as asynq's Enqueue would (asynqtask.go); on a cluster
//     the record goes first and asynq enqueues the task.
//   - The publish handler reads the record before anything else. A post
//     that is already published, canceled or failed is never sent to the
//     platform again, whatever asynq redelivers (asynq forgets TaskIDs of
//     finished tasks; the record does not).
//   - The handler saves the record before and after the platform call, and
//     the publisher saves each step's outcome in between, so a retry after
//     a crash resumes where the last attempt stopped.
//
// Tenants: a Client acts for one tenant (package tenant), given when it
// is made (WithTenant, default tenant.Default) or derived with ForTenant.
// Post and account ids a method takes are the tenant's own and are
// qualified (tenant.Qualify) before they name a key; every id a method
// returns, in statuses, listings, batch results, exports and errors, is
// the app's again. Another tenant's post is a key that does not exist,
// answered as a missing one. Inside (records, indexes, task ids and
// payloads, the Vault and VaultHooks, the worker) ids are stored ids and
// opaque: a post's keys are herald:{post:<stored id>} and an account's
// all share herald:{acct:<stored id>}, so each script keeps to one slot
// and erase stays complete. The default tenant's stored ids are its app
// ids: a deployment without tenants keeps its data as it is.
//
// Which platforms a post may name is the Client's to know: WithPlatforms
// gives it the names (cmd/herald passes those of its platform
// descriptors), and Client.ValidatePost checks a post as SchedulePost and
// EditPost do; Post.Validate alone checks only the name's form. The API
// validates through the Client, so no list of platforms lives in jobs.
//
// Errors from publishers carry a class (see package publishers). RetryPolicy
// turns the class into asynq behaviour: backoff with full jitter for
// transient errors, the platform's delay for rate limits (not counted as a
// failure), archive at once for permanent and reauth errors. A task that
// must wait (its post is not due yet, another attempt holds its lock) is
// snoozed (see Snoozed): retried after the wait, and neither a failure nor
// a rate limit.
//
// The worker asks the token store for what it needs through one interface,
// Tokens (tokens.Vault is it). The Vault hears of jobs through VaultHooks,
// the only way to cancel or erase an account's posts from outside: a
// disconnect cancels them and enqueues the revocation, an erase deletes
// everything jobs keeps about the account, both after the tokens are gone:
//
//	vault := tokens.New(rdb, keys, jobs.VaultHooks(client, tokens.Options{Platforms: ...}))
//	w, err := jobs.NewWorker(rdb, jobs.WorkerConfig{Publishers: reg, Tokens: vault, Sealer: keys})
//	if err != nil { ... }
//	err = w.Run(ctx) // nil after ctx ends, else why the worker stopped
//
// Tasks go to four queues (QueueNames): critical (revocations), publish,
// webhooks and analytics. A worker serves the queues of
// WorkerConfig.Queues (default Queues(): all, weighted), so a deployment
// can run publish workers apart from a background worker: asynq tries a
// worker's queues one Redis round trip at a time, and empty ones slow it.
// ParseQueues reads a layout as HERALD_WORKER_QUEUES gives it. Only a
// worker that serves webhooks runs the webhook dispatcher, the reader of
// the events stream that enqueues deliveries; every handler is
// registered in every worker, since a handler costs nothing until its
// queue is served.
//
// An attempt begins and ends with one script each: begin reads the record,
// checks the post is due, not held by another attempt, and not too late (in
// that order; a post past its deadline that the platform may have is not
// late yet: its attempt only looks, unknown.go), takes the post's lock (kept in the record and renewed while
// the attempt runs, so a task asynq hands to a second worker waits) and
// marks it publishing; finish records the outcome and releases the lock.
// The lock is a fence (fence.go): checkpoint saves and outcomes are
// refused once another attempt holds the post, and a refused or failed
// renewal cancels the attempt; times in the scripts are Redis's.
//
// Nothing is forgotten when retries run out: the last try records the post
// failed ("retries exhausted: ..."), after a last look when the platform
// may have it (unknown.go), and a reconciler in every worker (one pass at
// a time, bounded) fails posts whose task asynq archived (again after a
// last look when the platform may have them), enqueues again those whose
// task was lost, and does the same for the steps after publishing (a
// first comment left pending, a take-down left removing) (exhausted.go,
// reconcile.go).
// A dead worker's post is enqueued again by the recoverer soon after its
// lock expires, rather than after asynq's own recovery (recover.go).
//
// A post a platform publishes before giving its id (TikTok, after
// moderation) is published with remote_id_pending; post:lookup tasks ask
// the publisher again on a backoff (LookupConfig: from a minute, doubling
// to 30 minutes, for 48 hours; at most 10 an account a minute, within
// TikTok's 30 status fetches) under the post's lock, and fill in the id
// with post.updated, or fail the post that moderation took down
// (lookup.go); Client.LookUpPending runs one at once (TikTok's
// post.publish.publicly_available webhook). A published post's Warning
// and ResultState (the platform's "sent_to_inbox") are in its record and
// its post.published event.
//
// An outcome the worker could not learn (the platform's answer was lost)
// is a state of its own, unknown, and a cancel never calls canceled a post
// the platform may have: it leaves it cancel_requested, and the next
// attempt only looks (publishers.Request.ResolveOnly), ending it
// published with post.cancel_failed, or canceled (unknown.go); a look
// that cannot learn the outcome ends it failed, class outcome_unknown.
// After a disconnect the look uses the token kept for its revocation,
// and the revocation waits for it, at most WorkerConfig.LookWindow
// (disconnectlook.go).
//
// A post with a first comment (Content.FirstComment) gets it in a step
// of its own once published, a post:comment task that holds the post's
// lock as a lookup does, saves that it sent the comment before sending
// it, and after a lost answer reads the post's comments instead of
// sending again (step.go, comment.go); the post stays published whatever
// the comment does. WithCapabilities checks first comments against each
// platform's limit at scheduling.
//
// Posts may name a group (Post.GroupID): GroupStatus and CancelGroup act
// on every post of one campaign (group.go). UnpublishPost takes a
// published post down at its platform in a post:remove step that saves
// that it sent the delete and looks the post up after a lost answer
// (remove.go): removing, then removed.
//
// Account erasure stays here, with the posts it mostly deletes: the
// erase hook deletes the account's records, index and tasks, and asks
// package events and package analytics to forget theirs.
//
// Redis keys: a post's record is the hash herald:{post:ID}, which keeps
// the post once (storedpost.go) and stays a compact listpack on a Redis
// with hash-max-listpack-value 1024; the posts of an
// account are the sorted set herald:{acct:ID}:posts; state changes are
// appended to the stream herald:events (package events), inside the
// attempt scripts where Redis is not a cluster. Each script touches keys
// of one hash tag, so the same code runs on Redis Cluster.
//
// At scale: ListPosts pages an account's index by (publish time, post id)
// with a cursor that names the last post seen, so concurrent writes
// neither repeat nor skip posts; SchedulePosts schedules up to 500 posts
// with their index entries, records and events pipelined (asynq enqueues
// one task at a time, so those go out 16 at once); a full Redis is
// ErrRedisFull. A task's payload names its post (id, account, platform, a
// short preview) and does not carry the content, which the record holds.
//
// Retention: a record in a final state expires the client's retention
// (WithRetention, HERALD_RECORD_RETENTION) after it ended. CancelPost sets
// the expiry itself; ExpireFinal is the call for any other write of a
// final state; a RetentionSweep, run by the scheduler, sets it on any
// final record that lacks it and removes expired records' entries from
// the accounts' indexes. A post id is unique within that window: once the
// record is gone the id schedules a new post.
package jobs
