// Package deauth acts on the notices the platforms send when a user
// leaves an app: Meta's deauthorize and data deletion callbacks, Google's
// Cross-Account Protection (RISC) security event tokens and TikTok's
// authorization.removed webhook. Herald's promise is that a disconnected
// account's tokens are gone and an erased account leaves nothing behind;
// these notices let the platforms themselves trigger that, even when the
// product app never hears of the user leaving.
//
// A Receiver verifies each notice, maps the platform's user id to
// Herald's accounts through tokens.Vault.AccountsOf, and disconnects
// (Vault.Disconnect: token unreadable, posts canceled, revocation queued)
// or erases (Vault.Erase) each of them:
//
//	source  notice                                    verified by                           action
//	meta    deauthorize callback (signed_request)     HMAC-SHA256, app secret               disconnect
//	meta    data deletion callback (signed_request)   HMAC-SHA256, app secret               erase, answers {url, confirmation_code}
//	google  RISC tokens-revoked, sessions-revoked,     RS256 against Google's published      disconnect
//	        account-disabled; OAuth tokens-revoked     keys, iss, aud (client ids), iat age
//	google  RISC account-purged                        same                                  erase
//	tiktok  authorization.removed webhook              TikTok-Signature: HMAC-SHA256 of      disconnect
//	                                                   "t.body", client secret, t near now
//	tiktok  post.publish.publicly_available webhook    same                                  Options.OnTikTokPostPublic
//	                                                                                         per account (look post ids up)
//
// post.publish.publicly_available is no disconnect: it says a post made
// through the Content Posting API is public, its moderation over, so the
// post id TikTok's status fetch withheld can be had. The receiver maps
// the user to accounts as for a notice and hands each to
// OnTikTokPostPublic (cmd/herald: jobs.Client.LookUpPending). It takes no
// claim (a repeated webhook costs a status fetch and changes nothing) and
// answers 503 when the hook fails, so that TikTok sends it again. Its
// content's post_id is taken as a string or a number.
//
// The HTTP handlers (Serve*) are mounted by package api as public routes
// under /v1/callbacks; they write each platform's expected success answer
// and return errors for api to render (AnswerFor says how).
//
// # Decisions
//
// Which accounts: a notice names a person as the platform's login knows
// them, which is not always the id Herald publishes to. Meta's
// signed_request carries the app-scoped Facebook user id, while an
// Instagram account publishes under its ig-user-id; Google's RISC names
// the Google account (sub), while a YouTube account is a channel id.
// So tokens.Account has LoginUserID beside PlatformUserID, and AccountsOf
// matches either: the product app passes the Facebook user id (Instagram
// via Facebook Login) or the Google sub (YouTube, from the id_token) as
// the login user id when it connects the account. TikTok's open_id is the
// platform user id itself. Which platform's accounts a source's notices
// act on is Options.Platforms (SourceMeta, SourceGoogle, SourceTikTok to a
// platform name), which cmd/herald derives from the platforms'
// descriptors: Meta's act on "instagram" accounts, Google's on "youtube",
// TikTok's on "tiktok"; a source mapped to none is not configured. One
// person may own several accounts: each is acted on.
//
// Once: every notice is claimed in Redis under a digest of it (for Meta
// the user id and issued_at its signature vouches for, never the text,
// whose base64 padding is free; the jti and event type; the TikTok
// body), first for a
// two-minute lease while it is handled, then for ClaimTTL (7 days) once
// done. A repetition does nothing and answers as the first did (the same
// confirmation code for a data deletion request); one that arrives while
// the first is still at work answers 503 so that the sender retries; a
// failure releases the claim, so the sender's retry does the work.
// Meta's deauthorize and data deletion callbacks carry the same payload,
// so they share one claim: a data deletion request whose notice was first
// received as a deauthorize is refused (invalid_request, 400), since a
// captured deauthorize must not turn a disconnect into an erase; a
// deauthorize repeating a deletion request is a duplicate. The cost: were
// Meta to send both for one user within the same second, the deletion
// would be refused and the user asks again. Claims taken before this rule
// (under the text's digest) are not recognised. The
// work runs detached from the sender's connection, bounded by
// ActionTimeout.
//
// Ages: a Meta signed_request older than MetaMaxAge (24h) is refused, a
// security event token older than RISCOptions.MaxAge (1h), a TikTok
// signature further than 5 minutes from now; claims outlive all of these,
// so a replay inside the window is a no-op and one outside is refused.
// A RISC token naming a key Herald does not have triggers one fetch of the
// key set, at most once a minute; when Google's keys cannot be fetched at
// all the answer is 503, so Google retries.
//
// Data deletion status: the confirmation code is random (128 bits); its
// status (pending, completed, failed, with times) is kept for StatusTTL
// (90 days) under herald:{deletion:<code>}, naming neither the account
// nor the user, and is public at PublicURL + DeletionStatusPath + code
// (JSON, or HTML for a browser). Without a public URL the data deletion
// callback answers 503 before doing anything, since Meta requires the
// link.
//
// Events: Options.OnEvent hears of each account acted on, with the
// platform and a short reason ("meta deauthorize", "google risc
// account-purged"), for the caller to append as account.deauthorized.
// For an erase it is called before the erase, which deletes the
// account's entries in the events stream and leaves account.erased as
// the one trace.
//
// Privacy: logs carry the source, action, outcome, Herald account ids and
// the first 12 hex digits of the notice's digest; never the platform user
// id, an email, a token or a secret. Metrics count
// herald_deauth_notices_total{source, action, outcome}, all bounded.
//
// LinkedIn publishes no deauthorization notice: its webhooks cover
// organization social actions, not an app's loss of a member's consent.
// A revoked LinkedIn token shows up as a 401 or invalid_grant, which the
// worker already turns into reauth_required.
package deauth
