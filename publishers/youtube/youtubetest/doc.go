// Package youtubetest is a fake YouTube Data API, with Google's OAuth
// token and revoke endpoints, that runs in-process over HTTP: Herald's
// YouTube publisher and the official Go client
// (google.golang.org/api/youtube/v3) run against it unchanged.
//
// Like net/http/httptest, New starts a Server on a loopback address and
// Close stops it. Endpoint is the API base for option.WithEndpoint (and
// youtube.Options.Endpoint), UploadEndpoint the upload base, TokenURL and
// RevokeURL the OAuth endpoints (for oauth2.Endpoint and the Vault).
//
// # Protocol
//
// The wire protocol is Google's, as PLATFORMS.md describes it:
//
//   - POST /upload/youtube/v3/videos?uploadType=resumable&part=... with the
//     Video JSON, X-Upload-Content-Type and optionally
//     X-Upload-Content-Length: 200 with the session URI in Location.
//   - PUT or POST to the session with Content-Range "bytes a-b/total" or
//     "bytes a-b/*": 308 with "Range: bytes=0-n" while incomplete (or 200
//     with X-Http-Status-Code-Override: 308 when the request says
//     X-GUploader-No-308: yes, as the Go client does), 200 with the video
//     once complete. An empty request with "bytes */total" asks for the
//     status; once all bytes are there it completes the upload (the Go
//     client's zero-length last chunk). Bytes are kept in whole blocks of
//     256 KiB (Block) until the last: a chunk cut short keeps what it
//     brought up to a block boundary. Chunks may start before the
//     committed offset (the overlap is skipped), never after it.
//   - POST /upload/youtube/v3/videos?uploadType=multipart: metadata and
//     media in one multipart/related request (the Go client's way for
//     media under one chunk).
//   - thumbnails.set (multipart or media), playlistItems.insert,
//     videos.list by id (at most 50), channels.list (mine=true or id),
//     with statistics counts as JSON strings.
//   - POST /token: grant_type refresh_token or authorization_code, client
//     credentials (ClientID, ClientSecret) in the form or with HTTP Basic;
//     400 {"error":"invalid_grant"} for a revoked or unknown refresh token.
//     POST /revoke?token=...: 200, or 400 for an unknown token; revoking
//     either token ends the account's authorization of the client, every
//     grant of it, as Google's does.
//   - Scopes: a grant carries the scopes granted when it was issued,
//     from then on (its refreshes too): its consent's, or IssueToken's
//     (Scope unless the test names others). Each call wants one its
//     method's reference allows (scopes.go) and answers 403
//     insufficientPermissions otherwise. The consent page grants all that
//     was asked, or, with grant= fields, the ones kept (openid, email and
//     profile always).
//   - Id tokens (for openid) are RS256 JWTs signed with the server's own
//     key, published at CertsURL (GET /oauth2/v3/certs), as Google's.
//
// First comments and take-downs: commentThreads.insert (needs
// ScopeForceSSL, which Scope lacks: IssueToken(id, Scope,
// ScopeForceSSL) grants it; commentsDisabled on a
// video made for kids), commentThreads.list by videoId (newest first,
// paged), videos.delete (youtube, force-ssl or youtubepartner; 404
// videoNotFound once gone, 403 forbidden for another channel's). Every
// API call takes Fault{Lost: true}: it takes effect, its answer is
// dropped.
//
// Errors are Google's JSON ({"error":{"code","message","errors":[{reason}]}})
// with its reasons: invalidTitle, invalidDescription, invalidTags,
// invalidCategoryId, invalidPublishAt, mediaBodyRequired, videoNotFound,
// playlistNotFound, forbidden, authError (401 for a bad token).
// Metadata is validated as YouTube documents it (the videos resource's
// snippet properties): title 1-100 characters without < or >,
// description at most 5,000 bytes without < or >, tags at most 500
// characters counting commas and the quotes around tags with spaces,
// assignable category ids only.
//
// Requests to an upload session need a live bearer token of the channel
// that started it (401 without, 403 for another channel's), as the
// resumable upload guide authorizes every step. videos.insert spends the
// project's daily bucket (SetUploadQuota, default DefaultUploadsPerDay,
// refused calls included, as Google counts invalid requests too) and
// answers 403 quotaExceeded once it is spent; SetChannelUploadLimit caps
// a channel's uploads (400 uploadLimitExceeded); ResetQuota is midnight
// Pacific. SetUnaudited makes every upload private whatever was asked, as
// for an API project that has not passed Google's audit.
//
// Uploaded bytes are counted and hashed (SHA-256), never kept, so a test
// can send gigabytes.
//
// # Accounts and tokens
//
// AddAccount makes an account with a channel; IssueToken grants it a
// refresh and an access token (IssueCode an authorization code instead).
// API calls need a bearer access token the server issued and has not
// revoked. RevokeRefreshToken revokes a grant, ExpireAccessToken kills one
// access token (its refresh token still works), TokenCalls counts the
// token endpoint's calls.
//
// # Faults and what the server saw
//
// FailNext fails the next calls of an operation with a Fault (a reason
// such as quotaExceeded, a status, a Retry-After); DropChunk cuts a chunk
// request after some bytes; FailChunksAtRandom fails chunks at random
// (503 or a dropped connection, seeded); LoseFinalResponse completes an upload and
// closes the connection instead of answering; ExpireSessions makes
// incomplete sessions answer 404; SetLatency slows every call. Calls logs
// every call, Uploads the sessions (bytes received, resends included, and
// committed), Videos the videos with their metadata, size and hash, and
// BytesReceived the media bytes received in all:
//
//	srv := youtubetest.New()
//	defer srv.Close()
//	tok := srv.IssueToken("acct-1")
//	srv.DropChunk(3, 100<<10)
//	// ... publish with tok.AccessToken against srv.Endpoint() twice ...
//	if n := len(srv.Videos()); n != 1 {
//		t.Errorf("%d videos, want 1", n)
//	}
package youtubetest
