// Package tiktoktest is a fake TikTok API for tests: the Content Posting
// API (creator info, video and photo init, chunked uploads to an upload
// URL, publish status), the OAuth token and revoke endpoints with
// rotating refresh tokens, and the Display API reads analytics use, over
// HTTP on a loopback address, with faults on demand and a log of what it
// saw.
//
// Like net/http/httptest, New starts a Server and Close stops it; URL is
// the tiktok.Publisher's BaseURL (API and OAuth share the host).
//
// # Protocol
//
//	POST /v2/post/publish/creator_info/query/  -> data: creator_username, privacy_level_options,
//	                                              comment/duet/stitch_disabled, max_video_post_duration_sec
//	POST /v2/post/publish/video/init/          post_info, source_info FILE_UPLOAD (video_size,
//	                                              chunk_size, total_chunk_count, checked against
//	                                              TikTok's chunk rules) or PULL_FROM_URL (video_url under
//	                                              a verified prefix) -> data: publish_id, upload_url
//	POST /v2/post/publish/content/init/        media_type PHOTO, post_mode DIRECT_POST (or
//	                                              MEDIA_UPLOAD: to the inbox), PULL_FROM_URL
//	                                              photo_images -> data: publish_id
//	POST /v2/post/publish/inbox/video/init/    source_info only (no post_info) -> as video/init;
//	                                              the publish ends SEND_TO_USER_INBOX
//	PUT  {upload_url}                          Content-Range: bytes first-last/total, the next chunk
//	                                              only, Content-Type video/mp4, video/quicktime or
//	                                              video/webm (else 415 invalid_file_upload) -> 206,
//	                                              201 for the last; 416 out of order; 403 an hour
//	                                              after init
//	POST /v2/post/publish/status/fetch/        {publish_id} -> data: status, fail_reason,
//	                                              publicaly_available_post_id (int64s), uploaded_bytes
//	POST /v2/oauth/token/                      form client_key, client_secret, grant_type=refresh_token,
//	                                              refresh_token -> access_token, refresh_token (a new
//	                                              one: the old one dies), expires_in, open_id, ...
//	                                              or {"error":"invalid_grant", ...}
//	POST /v2/oauth/revoke/                     form client_key, client_secret, token -> {}
//	POST /v2/video/query/?fields=...           {filters:{video_ids:[<= 20]}} -> data.videos
//	GET  /v2/user/info/?fields=...             -> data.user counts
//
// API answers are TikTok's envelope, {"data": ..., "error": {"code",
// "message", "log_id"}}, with code "ok" on success; errors carry the
// HTTP status TikTok sends them with (StatusOf). Access tokens come in
// the Authorization header; a token in the URL is noted in the call log
// (Call.TokenInURL). Any non-empty token works except TokenInvalid,
// TokenNoScope, and issued tokens that expired (access tokens live
// AccessTokenLifetime, 2 hours, refresh tokens RefreshTokenLifetime, 180
// days, as TikTok's newest documentation says; SetTokenLifetimes
// changes them), were revoked or were marked with ExpireAccessToken. An issued token carries its grant's
// scopes (Issue's: AllScopes; a consent's: those the user kept, grant=
// fields on the consent form) and each endpoint wants one of its own
// (scopes.go), answering 401 scope_not_authorized otherwise. Revoking a
// token ends every grant of its user, as TikTok's revoke "disconnects
// your app from the user's TikTok account".
//
// Each rule cites its source in the code: the per-user limits of the API
// reference (PerMinute: 6 inits, 30 status fetches, 20 creator_info a
// minute per access token, then 429 rate_limit_exceeded; SetRateLimit
// changes one), the Media Transfer Guide's chunk rules and Content-Type,
// the photo restrictions (a photo named other than .jpg, .jpeg or .webp
// fails its publish with file_format_check_failed once pulled).
//
// # Time, faults and what the server saw
//
// SetClock gives the server the test's fake clock. SetProcessing decides
// how a publish goes once its media arrived: after a number of status
// reads or clock time, into FAILED with a fail_reason, or through an
// explicit Sequence of statuses. Publishes of SELF_ONLY posts complete
// without a public post id, as TikTok's do; Processing.ModerationDelay
// withholds a public post's id from the status for that long after
// PUBLISH_COMPLETE, and RemoveInModeration takes a post down (FAILED with
// a reason). ExpireUploadURLs ages every
// upload URL past its hour.
//
// FailNext makes the next calls to an Endpoint fail with any error code
// (Codes lists them), status, message or Retry-After, or, with
// Fault.Lost, take effect and then drop the connection: a lost init or
// chunk answer. Calls is the call log; Publishes (every publish_id, with
// the chunks it received), Posts, Inits(title) and Published(title) tell
// how many publishes and posts each post produced:
//
//	srv := tiktoktest.New()
//	defer srv.Close()
//	srv.FailNext(tiktoktest.EndpointStatus, 1, tiktoktest.Fault{Lost: true})
//	// ... publish "Hello" through srv.URL(), twice ...
//	if srv.Inits("Hello") != 1 || srv.Published("Hello") != 1 { t.Error("published twice") }
//
// Issue gives a user tokens; the token endpoint rotates them on every
// refresh, so a caller that keeps an old refresh token finds it dead
// (invalid_grant), as on TikTok. LiveRefreshToken and Revoked tell the
// grant's state.
package tiktoktest
