// Package tokens keeps accounts' OAuth tokens: encrypted at rest, fresh
// when used, gone when the account is disconnected or erased.
//
// The worker asks a Source for a token right before each platform call; it
// never stores or logs one. The Vault is Herald's Source:
//
//   - Connect stores a token sealed with AES-256-GCM under the keyring's
//     first key (HERALD_TOKEN_KEYS), with the record format, account id and
//     platform as additional data, so a ciphertext copied to another
//     account does not open. Only the sealed part holds secrets; platform,
//     scopes, expiry and status are in clear for operators.
//   - Token returns the stored token while it is valid beyond the skew,
//     else refreshes it. Refreshes of one account are coalesced: callers in
//     a process share one attempt (singleflight), processes share a Redis
//     lock and the others wait for the record to change. The refreshed
//     token is written only if the record is still the one the refresh
//     started from (compare-and-set on a random revision), so a refresh
//     that ends after a disconnect cannot write a token back.
//   - invalid_grant marks the account reauth_required: Token then fails
//     with ErrReauthRequired at once, without calling the platform again,
//     until the app connects the account anew.
//   - Disconnect turns the record into a tombstone in one script: the
//     token is unreadable from that moment; the sealed token is kept apart
//     for Revoke (the account:revoke job), which revokes it at the platform
//     and deletes it, or deletes it anyway on its last attempt. Every
//     disconnected token is kept until then, not only the last: a second
//     disconnect (after a reconnect) before the job ran adds to the ones
//     waiting, and each is deleted only after its own revocation. Until
//     then LookToken hands the kept token to one use only: the look-only
//     attempts of the account's canceled posts whose outcome is unknown
//     (look.go); the revoke job waits for them, bounded. Where revoking
//     ends the user's whole authorization (Platform.RevokesAll), a kept
//     token whose user has connected again meanwhile, to any account, is
//     deleted without its revocation, which would end the new grant
//     (disconnect.go, grantedAgain).
//   - Connect of an account that has a live token replaces it and keeps
//     the replaced one for Revoke (Options.OnRevocation enqueues the job)
//     when it differs from the new one, its platform has a revoke, and the
//     revocation cannot reach the new token: where revoking ends the
//     user's whole authorization (Platform.RevokesAll: Google, TikTok)
//     only when another user granted the new one (replace.go). The write
//     is a compare-and-set on the revision the decision was made from, so
//     a racing reconnect with the same new token never has it revoked.
//   - Connect also keeps what the platform granted (ScopesGranted: the
//     worker then refuses a post needing a scope outside it) and the
//     organizations the user may publish as.
//   - Erase disconnects, revokes at once, deletes every key of the account
//     and, through Options.OnErase, what jobs keeps; it returns a Receipt.
//   - Rotate re-seals every record with the first key; it is resumable and
//     safe beside live workers.
//
// How each platform's tokens are refreshed and revoked is a Platform in
// Options.Platforms. tokens knows no platform by name and imports none:
// cmd/herald fills the map from the platforms' descriptors
// (publishers.Platform.Tokens, the same shape in x/oauth2 types), so
// Google's revoke lives in publishers/youtube beside TikTok's in
// publishers/tiktok. A Platform whose Refresh needs a refresh token
// (NeedsRefreshToken: LinkedIn, which grants them to partner apps only)
// is not called for a token without one: such an account is due for a
// reconnect (ReconnectDue) and needs reauthorization once it expires.
//
// Secret is the type for token values held in memory by code that is not
// handing them to a platform: it never prints.
//
// Keys: herald:{acct:ID}:token (record), herald:{acct:ID}:revoke (tokens
// awaiting revocation, one hash entry each; see pending.go), herald:{acct:ID}:refresh-lock, the index
// herald:accounts, and the platform-user index that the platforms'
// disconnect notices use: herald:{platform-user:P:UID} (account ids of a
// platform user) with herald:{acct:ID}:platform-users (its entries, so
// Erase finds them). Residual risks: a refreshed token whose write to Redis
// fails five times in ten seconds is lost, and with a platform that
// rotates refresh tokens the account then needs reauthorization; tokens
// awaiting revocation are not re-sealed by Rotate (they live minutes); a
// disconnect in the instant between the revoke job's last read of the
// kept tokens and the end of its task (Revoke reads again after each
// round, so only that instant is left) keeps its token with no job to
// revoke it: the account stays "revoking", and the next disconnect or
// erase of it revokes the token.
//
// Account ids are stored ids (package tenant): an app's id under the one
// id rule of package input, qualified with its tenant (tenant.Qualify:
// "shop~acct-1"; the default tenant's ids as they are). The Vault is
// inside the tenant boundary: it takes and returns stored ids, and the
// API, the CLI and the connect flow qualify what an app names before
// asking it, and show the app only its own id. A bad account is an
// *input.FieldError (FieldError here is an alias of it) naming the
// field, and matches ErrInvalid. AccountsOf, which the platforms'
// disconnect notices use, answers across tenants: a notice names a
// platform user, who may be connected in several.
package tokens
