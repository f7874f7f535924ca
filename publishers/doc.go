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
// that a retry after a crash resumes instead of posting twice. It saves
// one before any call that can make the post, so a post without
// checkpoints was never sent. A lost answer that no lookup settles wraps
// ErrOutcomeUnknown; a publisher that can look a post up without sending
// it implements Resolver and answers a Request with ResolveOnly (the post
// was canceled meanwhile) with the post, or ErrNotPublished.
//
// # One platform, one descriptor
//
// A Platform is everything Herald knows of a platform: its name, its
// Publisher, how its tokens are refreshed and revoked (Tokens) and how far
// ahead, which sender's disconnect notices name its accounts, its quota,
// what doctor checks, and how Herald runs its OAuth consent
// (Authorization: authorize and token URLs, default scopes, PKCE, its
// code exchange and how to read who connected; package connect reads
// it) and, optionally, what the creator of an account may post now
// (CreatorInfo: TikTok's creator_info, which the API serves) and which
// scopes a post needs (Needs: the worker refuses, as reauth, a post of an
// account whose grant, read at connect, lacks one; the Registry carries
// them, MissingScopes asks). Tokens.RevokesAll says the platform's revoke
// ends the user's whole authorization, which the Vault heeds when a
// reconnect replaces a token. Each platform package builds its own
// (youtube.Platform, instagram.Platform, ...) from a small options value,
// so the package never reads the configuration; cmd/herald maps the
// configuration to those options and lists the platforms once. Every other
// list derives from that one: RegistryOf for the worker, the Vault's
// platforms, the names jobs.Client accepts (and through it the API and the
// CLI), deauth's source-to-platform mapping and doctor's checks. Adding a
// platform is its package plus one line in that list.
//
// Tokens has the shape of tokens.Platform, speaking x/oauth2 types only:
// publishers never import tokens (tokens must not import the platforms
// either), so cmd/herald copies one into the other. A refresh the platform
// refuses for good is an *oauth2.RetrieveError with ErrorCode
// "invalid_grant", the Vault's signal to mark the account for reauth.
//
// A Registry maps platform names ("youtube", "sandbox", ...) to
// publishers; RegistryOf fills it from the descriptors, the worker reads
// it.
//
// # After publishing
//
// A platform whose API can also comment on a post or take it down says
// so by implementing Commenter (a first comment, found again by reading
// the post's comments after a lost answer) and Remover (a delete that is
// safe to repeat, and Exists to settle a lost answer); Capabilities
// reads which, and jobs.Client checks requests against them, so a
// platform that cannot (TikTok, and Instagram for take-downs) is refused
// up front, by name. The worker keeps the checkpoints of both steps.
//
// This package is the contract only: the Publisher interface and what
// it is given and returns, the error classes and the Checkpoints seam.
// The helpers the platform packages share to speak HTTP to a platform
// (quoting and redacting error texts, reading JSON counts, Retry-After,
// the per-call token Session) live in publishers/internal/wire, so that
// an app importing publishers sees only what it may rely on.
package publishers
