// Package publishers defines what Herald asks of a social platform: a
// Publisher publishes one post with one account's token and reports a
// result, or an error that says what kind of failure it was.
//
// The error class decides everything the worker does next, so publishers
// classify every failure they return:
//
//   - Transient: the platform or network hiccuped; retry with backoff.
//   - RateLimited: the platform said "not now"; retry after RetryAfter,
//     and do not count it as a failure.
//   - Reauth: the token was revoked or is invalid; stop, mark the account.
//   - Permanent: the post itself is wrong (bad media, too long, ...); stop.
//
// An unclassified error is treated as Transient: the safe default for a
// network error nobody thought of.
//
// Publishers never import jobs or tokens. A publisher that works in
// several steps (upload, then create, then publish) saves each step's
// result through the Checkpoints it is handed before taking the next, so
// that a retry after a crash resumes instead of posting twice.
//
// A Registry maps platform names ("youtube", "sandbox", ...) to
// publishers; cmd/herald fills it, the worker reads it.
//
// This package is the contract only: the Publisher interface and what
// it is given and returns, the error classes and the Checkpoints seam.
// The helpers the platform packages share to speak HTTP to a platform
// (quoting and redacting error texts, reading JSON counts, Retry-After,
// the per-call token Session) live in publishers/internal/wire, so that
// an app importing publishers sees only what it may rely on.
package publishers
