// Package api is Herald's HTTP API: JSON over HTTP, versioned under /v1,
// for product apps written in any language. It is a thin layer over the
// Go API (jobs.Client for posts and analytics, tokens.Vault for accounts):
// it authenticates, decodes strictly, maps errors to statuses and never
// shows a token. `herald api` serves it; openapi.json (embedded, served at
// /v1/openapi.json) documents every route, and a test keeps the two in
// step.
//
//	a, err := api.New(api.Options{Client: client, Vault: vault, Tokens: keys})
//	http.ListenAndServe(addr, a)
//
// The package reads no environment: everything comes in through Options,
// and ParseTokens reads HERALD_API_TOKENS for the command.
//
// # Decisions
//
//   - Auth: bearer API keys, several, each with a name that is logged so
//     keys can be rotated one at a time. Keys are compared in constant
//     time over their SHA-256, every key every time. Every failure is the
//     same 401 body; only the log says why (no token, unknown key). An
//     unknown route answers 401 before 404, so routes cannot be probed
//     without a key. /healthz, /readyz and /v1/openapi.json are public.
//   - Tenants: each key acts for its tenant (Options.Tenants, from
//     HERALD_TENANTS; tenant.go). Handlers use that tenant's jobs.Client
//     and qualify account ids (tenant.Qualify) for the Vault after
//     checking them by the app's id rule, so no id can name another
//     tenant's; answers carry the app's ids. Another tenant's account or
//     post is a key that does not exist and answers as a missing one:
//     same status, same body, same code path. Callbacks are not tenant
//     routes: a platform's notice reaches every tenant's accounts of its
//     user.
//   - Rate limit: Options.RateLimit caps each key's requests a minute
//     with redis_rate (GCRA) in Redis, shared by every API process and
//     timed by the Redis clock (429 with Retry-After). A key may burst up
//     to its limit, then gets one request every minute/limit. Probes are
//     not counted. Requests that fail authentication are limited per
//     client address (RateLimit.FailuresPerMinute, default 20): once over,
//     every request from the address that needs a key gets 429, a right
//     key included, or the answer would tell a good guess from a bad one.
//   - Paths not in canonical form ("..", ".", "//") are answered as
//     unknown routes (401, then 404, problem+json, logged), not
//     redirected as http.ServeMux would, in HTML and before the key check.
//   - Errors: one shape everywhere, an RFC 9457 problem document
//     (application/problem+json: type, title, status, detail) whose
//     extension member "error" holds a stable code, the message and the
//     wrong fields, each named by its JSON path:
//     {"error":{"code":"invalid","message":"...","fields":[{"field":"content.media[0].url","problem":"..."}]}}.
//     A body that is not the JSON expected (syntax, a wrong type, an
//     unknown field, data after the object, empty) is 400 and says the
//     line and column; a well-formed body with wrong values is 400 too,
//     with code "invalid", and names every wrong field (every input.FieldError jobs and tokens return, all of them,
//     not just the first). Bodies above Options.MaxBodyBytes are 413,
//     bodies not sent as JSON 415. Errors that are not the client's are
//     logged and answered "internal error".
//   - Times are RFC 3339 with a zone; request structs take them as
//     strings so a bad one is reported under its field's name. publish_at
//     is refused before 2000 ("not a time": a client's zero value) and
//     more than MaxScheduleDays (730) days ahead.
//   - Text must be valid Unicode: a string with invalid UTF-8 or a lone
//     surrogate escape is 400 naming its field, where the JSON decoder
//     would have put U+FFFD in silence.
//   - Secrets: token fields of requests are tokens.Secret, which never
//     prints; answers carry tokens.Info, which has no token; logs name
//     the route pattern and the key's name, never a URL (ids, query
//     strings) or a body. A test connects an account and scans every
//     response and log line for its tokens and the API keys.
//   - POST /v1/posts is idempotent on post_id (jobs' guarantee): 201 when
//     new, 200 with the current status for the same post again, 409 for a
//     different post. Whether the post existed is read just before
//     scheduling, so two concurrent first requests may both answer 201.
//     A new post must name a connected, active account of its platform
//     (otherwise it would only fail at its time); a repeated request
//     skips that check and answers the post's status.
//   - POST /v1/accounts answers 201 for a new account, 200 when it
//     replaced one; DELETE /v1/accounts/{id} (erase) runs even for an
//     account the Vault does not know, since posts may name it.
//   - GET /v1/accounts/{id}/creator-info asks the account's platform now
//     what its creator may post (Options.CreatorInfo, from the platform
//     descriptors' CreatorInfo; TikTok's creator_info), nothing cached:
//     the choices change with the creator's settings. The platform's
//     refusals keep their class: rate-limited is 429 with its delay,
//     reauth 409 not_connected, no answer 503.
//   - Calls that change state run detached from the client's connection,
//     with their own deadline: a client hanging up mid-disconnect must
//     not leave the account's posts half canceled.
//   - GET /v1/posts?account_id= (and GET /v1/accounts/{id}/posts, the
//     same listing) pages by publish time then post id, filtered by
//     state and a from/to range of publish times, up to 500 a page. The
//     opaque cursor names the last post seen (jobs.ListPosts), not an
//     offset, so writes between pages neither repeat nor skip posts.
//   - POST /v1/posts/batch schedules up to 500 posts, each as POST
//     /v1/posts would, answering 200 with a result per post (created,
//     unchanged, conflict, invalid with the fields): one bad post does
//     not refuse the batch. Its body may be four times MaxBodyBytes.
//   - A full Redis (jobs.ErrRedisFull) is 503 with Retry-After, for one
//     post and for a batch; other store errors stay 500.
//   - A post id is unique within HERALD_RECORD_RETENTION after its post
//     ended: once the record has expired, the id schedules a new post.
//   - PATCH /v1/posts/{id} edits content and not_after (jobs.EditPost)
//     and moves publish_at (jobs.ReschedulePost) while the post is
//     scheduled; content is replaced whole, never merged.
package api
