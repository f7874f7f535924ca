// Package connect runs the platforms' OAuth consent for the apps, so an
// app never touches a token: the app asks for an authorize URL (Start,
// POST /v1/connections), sends the user's browser there, and the
// platform sends it back to Herald's public callback (ServeCallback,
// GET /v1/oauth/{platform}/callback), which exchanges the code, reads who
// connected, stores the tokens through tokens.Vault.Connect (which
// appends account.connected) and redirects the browser (303) to the
// app's return URL with account_id and status=connected, or
// status=error&error=<code>.
//
// Security, and why:
//
//   - state is 256 random bits, single use: the callback consumes it with
//     GETDEL, so a replayed callback finds nothing. Redis keeps only its
//     SHA-256, so a read of Redis cannot finish someone's consent.
//   - The state record is bound to the API key that created it: a key
//     removed from HERALD_API_TOKENS takes its pending consents with it.
//     It is bound to the key's tenant too (Request.Tenant): the callback
//     stores that tenant's account (tenant.Qualify), so a consent can
//     never connect another tenant's account of the same id.
//   - It expires 10 minutes after Start (checked against the record's
//     own time, Redis's TTL only cleans up).
//   - The PKCE verifier (S256, where the platform takes it) is sealed with
//     the token keyring in the record, as tokens are.
//   - The return URL must start with one of HERALD_CONNECT_RETURN_URLS
//     (same scheme and host, a path prefix at a '/' boundary), https
//     except on loopback: no open redirect. An unknown, expired or
//     replayed state gets a small HTML page, never a redirect, since
//     nothing trustworthy says where to send the browser.
//   - The code, the tokens and the verifier never reach logs, events,
//     metrics or the redirect; errors reach the app as short codes.
//   - Scopes granted smaller than asked: the account is connected with
//     what was granted, and account.connected's reason names the missing
//     ones (tokens.WithConnectNote). The grant is stored as the
//     platform's (tokens.Account.ScopesGranted): the worker refuses, as
//     reauth naming the scope, a post whose platform says it needs a
//     scope outside it (publishers.Platform.Needs), before calling the
//     platform. What Identify could not read (LinkedIn's organizations,
//     when the grant does not allow reading them) joins that reason.
//   - Reconnecting an account replaces its token through Vault.Connect,
//     which revokes the replaced one when that cannot reach the new one
//     (tokens' replace rules: never for the same user where revoking ends
//     the user's whole authorization, as at Google and TikTok).
//
// # Google's id token
//
// Who connected a YouTube account is the sub of the id token in Google's
// token answer. Herald checks its issuer, its audience (this client, and
// azp when several), its alg (RS256) and its expiry, and not its
// signature: OpenID Connect Core §3.1.3.7 (6) lets "the TLS server
// validation" stand in for the signature when the id token comes
// "via direct communication between the Client and the Token Endpoint",
// which is how Herald gets it (the browser never carries it; the code
// does, and only Herald with the client secret and PKCE verifier can
// trade it). That premise holds while HERALD_GOOGLE_TOKEN_URL is https;
// http is for fakes on loopback. The fake (youtubetest) signs RS256 with
// its own key and publishes a JWK set, so a verifier could be added
// without changing the fake.
package connect
