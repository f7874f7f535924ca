// Package tiktok publishes videos and photo posts to TikTok through the
// Content Posting API (Direct Post, plain net/http: TikTok offers no Go
// SDK), refreshes and revokes TikTok tokens for the Vault, and reads
// post and account counts for analytics.
//
// # Publishing
//
// A post is checked first (Permanent when wrong: media kinds and count,
// caption length in UTF-16 units, options, photos named as another format
// than JPEG or WebP, a source video served as a format other than MP4,
// MOV or WebM), then TikTok is asked in steps:
//
//  1. creator_info/query: the creator's privacy levels, interaction
//     settings and longest video. privacy_level has no default: TikTok's
//     content sharing guidelines have the creator choose it, nothing
//     preselected, so a post without it fails as Permanent with an error
//     naming the option and listing the levels creator_info offers that
//     account (Options.Unaudited, HERALD_TIKTOK_UNAUDITED, still makes
//     SELF_ONLY the default: it is the only level an unaudited app has).
//     A post whose privacy level the creator does not offer, that asks for comments, duets or stitches the
//     creator turned off, or whose duration_sec exceeds the creator's
//     maximum fails as Permanent with the reason; settings the post
//     leaves unset follow the creator's. A creator who may not post now
//     gets TikTok's error code, classified below.
//  2. init: /v2/post/publish/video/init/ with FILE_UPLOAD (video_size,
//     chunk_size, total_chunk_count), or PULL_FROM_URL for a video under
//     one of Options.PullPrefixes (URL prefixes verified for the app at
//     TikTok); photo posts go to /v2/post/publish/content/init/, always
//     PULL_FROM_URL.
//  3. upload (FILE_UPLOAD): the source video is opened through a
//     media.Fetcher (public addresses only, unless configured otherwise)
//     and streamed chunk by chunk with PUT and Content-Range to the
//     upload_url; nothing is buffered, memory stays flat whatever the
//     size. Chunks follow TikTok's rules: 5 MiB to 64 MB
//     (Options.ChunkSize, 10 MiB by default), the last one taking the
//     trailing bytes, at most 1000, a video under 5 MiB whole, sent in
//     order. Each chunk says the source's own Content-Type when TikTok
//     takes it (video/mp4, video/quicktime, video/webm; video/mp4 when
//     the source says none), as the Media Transfer Guide's schema asks.
//     A chunk that fails with a 5xx or a broken connection is retried
//     inside the attempt for Options.ChunkRetryDeadline (32 s, as the
//     Go client does for Google's uploads): a jittered backoff (1 s,
//     2 s, ... 16 s), a status fetch for uploaded_bytes, then the same
//     chunk again, or the next one when TikTok got it and only the
//     answer was lost (TikTok refuses a chunk twice). Past the deadline
//     the attempt gives up and the next one resumes as below.
//  4. status/fetch until PUBLISH_COMPLETE (the Result is the first
//     publicaly_available_post_id and its tiktok.com URL; SELF_ONLY
//     posts have none, and succeed without a RemoteID) or FAILED, classed
//     by its fail_reason (below). SEND_TO_USER_INBOX ends an inbox upload
//     (send_to_inbox) with Result.State "sent_to_inbox"; for a direct
//     post it is Permanent: the post waits in the creator's inbox, not on
//     the profile.
//
// send_to_inbox=true uploads instead of posting (the Upload Content
// API: /v2/post/publish/inbox/video/init/ with source_info only, or
// content/init with post_mode MEDIA_UPLOAD for photos): no creator_info
// is asked, the creator finishes the post in the TikTok app after an
// inbox notification. The inbox init takes no post settings, so a video
// with a caption or any option but send_to_inbox and photo_cover_index
// is refused rather than have them silently dropped.
//
// # Post ids after moderation
//
// A public post's publicaly_available_post_id comes only once TikTok's
// moderation is done ("developers are not provided with the post_id
// until this process is complete"; it "may take a few hours", Get Post
// Status). So PUBLISH_COMPLETE without it is a published post whose
// Result has RemoteIDPending set (no RemoteID, no URL) and CheckpointPost
// "pending"; calling Publish again with the same checkpoints is the
// lookup (one status fetch: the caller paces lookups within the 30 a
// minute a user's status fetches allow). SELF_ONLY posts never get a
// public id and are done without one. Keeping the lookups going (and
// TikTok's post.publish.publicly_available webhook) is the jobs layer's.
//
// # Fail reasons
//
// The Get Post Status reference lists the fail_reasons of a FAILED
// publish; FailReasonClass classes them:
//
//	internal, video_pull_failed, photo_pull_failed  Transient: TikTok's hiccup, or a pull
//	                                                  from the media host that did not go through
//	spam_risk_too_many_posts                        RateLimited (DefaultPostingCapWait): the
//	                                                  creator's posting cap, a window to wait out
//	auth_removed                                    Reauth: the creator removed the app
//	file_format_check_failed, duration_check_failed,  Permanent, with the reason
//	frame_rate_check_failed, picture_size_check_failed,
//	publish_cancelled, spam_risk_user_banned_from_posting,
//	spam_risk_text, spam_risk, anything new
//
// A failed publish_id is final, so a failure worth another try forgets
// the publish (as a start-over, at most 3 per post) and the next attempt
// inits a new one; a final one is found again by the next attempt's
// status fetch, and never inited twice. Decision: photo_pull_failed is
// classed with video_pull_failed, for the same reason.
//
// Polling backs off from PollInterval to MaxPollDelay for at most
// MaxWait; moderation can take hours, so past MaxWait the job is handed
// back as RateLimited after HandBack: not a failure, and no worker slot
// held. Sleep and Now are injectable, so tests run on a fake clock.
//
// # Exactly once
//
// TikTok offers no idempotency key, so exactly-once comes from the
// checkpoints, each saved before the step that depends on it: the
// upload state (upload_url, issue time, chunking, chunks acknowledged)
// and then the publish_id (CheckpointPublishID), the chunk count after
// every chunk, the post id at the end. An attempt starts from what is
// saved:
//
//   - a post id: done, without a call;
//   - "pending" (published while moderation withheld the id): one
//     status fetch, giving the id once TikTok does (RemoteIDPending
//     until then), or Permanent "taken down" when moderation removed the
//     post;
//   - a publish_id with the upload finished: fetch its status, never
//     init again;
//   - a publish_id mid-upload: fetch its status first. Finished or
//     final: as above. Otherwise resume at the next chunk (or further,
//     when uploaded_bytes shows chunks whose acknowledgement was lost)
//     while the upload URL is valid (an hour from init, less a margin);
//     once it is not, and TikTok never got the whole video (so that
//     publish can never go out), forget it and start over, at most 3
//     times;
//   - nothing: start with creator info.
//
// An init whose answer is lost is harmless for FILE_UPLOAD (a publish
// without bytes never posts: the next attempt inits again) but not for
// PULL_FROM_URL, where TikTok may already be fetching the video:
// CheckpointPullSent is saved before such an init, and an attempt that
// finds it without a publish_id fails the post (Permanent) rather than
// risk a second post. Only an answer that proves TikTok refused the init
// (its own error envelope with a code, on a 4xx other than 408) clears
// the mark: a 5xx, a proxy's page or an undecodable 200 can follow an
// init TikTok accepted, and without a publish_id there is no status to
// ask. Decision: a possibly missing post is better than a
// possibly doubled one; the error says so.
//
// # Errors
//
// TikTok answers {"data":..., "error":{"code","message","log_id"}}; the
// code decides the class:
//
//	rate_limit_exceeded, HTTP 429                  RateLimited (Retry-After, else 1 minute):
//	                                                 TikTok limits each user token to 6 inits,
//	                                                 30 status fetches and 20 creator_info a minute
//	spam_risk_too_many_posts,                      RateLimited (1 hour: the rolling
//	spam_risk_too_many_pending_share,                window's end is not given)
//	reached_active_user_cap
//	access_token_invalid                           Reauth, after one Request.ForceRefresh
//	scope_not_authorized, scope_permission_missed  Reauth
//	internal_error, 5xx, 408, no answer            Transient
//	unaudited_client_can_only_post_...             Permanent: the app is unaudited and may
//	                                                 post SELF_ONLY only (Options.Unaudited
//	                                                 refuses other levels before any call)
//	invalid_params, invalid_file_upload,           Permanent, with TikTok's message
//	privacy_level_option_mismatch,
//	url_ownership_unverified, spam_risk_text,
//	spam_risk_user_banned_from_posting, other 4xx
//
// The access token travels in the Authorization header only. Error texts
// never hold a token, the upload URL (a capability) or the client
// secret: TikTok's messages are redacted, *url.Error's URL is dropped.
//
// # Tokens
//
// TikTok's token endpoint wants client_key, not client_id, so x/oauth2
// cannot refresh its tokens. RefreshToken speaks TikTok's dialect (POST
// /v2/oauth/token/, grant_type=refresh_token) with the signature of
// tokens.Platform.Refresh; Revoke (POST /v2/oauth/revoke/) has
// tokens.Platform.Revoke's. Refresh tokens rotate and the old one dies,
// so the new one must be stored before anything else refreshes: the
// Vault stores it atomically under its per-account lock. A refresh token
// TikTok refuses comes back as *oauth2.RetrieveError with ErrorCode
// "invalid_grant" (also when TikTok words it as invalid_request about
// the refresh token), which makes the Vault mark the account for
// reauthorization.
//
// # Analytics
//
// Analytics reads follower_count, following_count, likes_count and
// video_count (/v2/user/info/, scope user.info.stats; skipped without
// the scope) and per post view, like, comment and share counts
// (/v2/video/query/, 20 ids a call). RawAccount and RawPosts keep those
// fields under TikTok's names (follower_count, view_count, ...).
//
//	p := tiktok.New(tiktok.Options{
//		ClientKey: cfg.TikTokClientKey, ClientSecret: cfg.TikTokClientSecret,
//		PullPrefixes: []string{"https://cdn.example.com/"},
//		Fetcher:      fetcher, // a media.Fetcher
//	})
//	registry.Register("tiktok", p)
//	platforms["tiktok"] = tokens.Platform{Refresh: p.RefreshToken, Revoke: p.Revoke}
//
// Platform describes TikTok for Herald (publishers.Platform): this
// publisher, whose RefreshToken and Revoke are the Vault's refresh and
// revoke, and TikTok's webhooks; cmd/herald lists it with the others.
//
// TikTok's Content Posting API publishes and reports, nothing more: it
// has no endpoint to comment on a post nor to delete one. The publisher
// is therefore no publishers.Commenter nor publishers.Remover, and
// Herald refuses a first comment (400 naming content.first_comment) and
// a take-down (409 naming TikTok) of a TikTok post up front.
package tiktok
