// Package youtube publishes video posts to YouTube, exactly once, and
// reads their statistics.
//
// # Publishing
//
// A post is one video (publishers.Content.Media holds exactly one item of
// kind video) with a title (Content.Title, required) and a description
// (Content.Text). Content.Options tune it: privacy (public by default,
// unlisted, private), tags (comma-separated), category_id,
// made_for_kids (always declared, false by default), notify_subscribers
// (true by default), publish_at, thumbnail_url and playlist_id. Unknown
// options fail the post: a misspelt "privcy" must not publish a private
// video publicly.
//
// publish_at (RFC 3339) uploads the video private and lets YouTube make
// it public at that time; it needs privacy unset or private. Herald
// already runs the job at the post's PublishAt, so Request.PublishAt is
// not sent to YouTube: to upload ahead of time, schedule the Herald post
// earlier and set publish_at. A publish_at already past when the upload
// starts is dropped and the video is public at once, which is what the
// author wanted by then.
//
// The video streams from its URL (package media: size limit, content
// type, no private addresses) into a resumable upload that Herald owns:
// the official client (google.golang.org/api/youtube/v3) hides the session
// URI and cannot resume after the process dies, so this package speaks
// the same wire protocol itself (see upload.go) and uses the official
// client, with option.WithEndpoint and option.WithHTTPClient, for
// everything else: thumbnails.set, playlistItems.insert, videos.list,
// channels.list. Nothing of the video is held in memory when its size is
// known (a chunk is read from the source while it is sent); when the
// source sends no Content-Length, one chunk at a time is.
//
// # Exactly once
//
// Each step is saved in the request's Checkpoints before the next starts
// (names Checkpoint*): the session URI before the first byte is sent, the
// offset YouTube confirmed after every chunk, a mark before the last
// chunk, then the video id, the thumbnail and the playlist item. A retry,
// after a crash, a timeout, a 5xx or a dropped connection, asks the saved
// session how far it got (PUT with "Content-Range: bytes */total") and
// goes on from there, fetching the rest of the media with a Range
// request: it never starts a second upload while the session lives, so
// at most one chunk is sent twice. When the answer to the last chunk was
// lost, the session's status gives the video. A session that expired
// (about a week) starts over from zero, unless the last chunk had been
// sent: then whether a video exists is unknown and the post fails for
// good rather than risk a second video. Chunks are not retried inside an
// attempt: the job's own retry (with backoff) resumes, one code path for
// a crash and a hiccup alike.
//
// The session URI is a capability, stored like a token (the jobs layer
// seals checkpoints) and kept out of errors and logs, as is the token:
// errors from net/http, which print URLs, are reduced to their cause, and
// YouTube's messages are redacted. A session URI is only accepted on the
// upload endpoint's host (or another googleapis.com host).
//
// After the upload the post is online, so the thumbnail and playlist
// steps never fail it for good: a transient error (or a short rate limit)
// is returned and retried, anything else (a bad image, a missing playlist,
// quota gone until tomorrow, a revoked token) is logged and the step
// skipped.
//
// # Errors
//
// Failures are classified by YouTube's error reason first, then by
// status: quotaExceeded and dailyLimitExceeded wait for the quota reset
// (midnight in Los Angeles), rateLimitExceeded and userRateLimitExceeded
// wait as Retry-After says (or the job's backoff), uploadLimitExceeded (a
// channel's daily cap, a rolling day) waits 24 hours; backendError, 5xx,
// 408, 429 and network errors are transient; a 401 refreshes the token
// once through Request.ForceRefresh and tries again, then asks for
// reauthorization, as do insufficientPermissions and youtubeSignupRequired;
// forbidden, badRequest and the invalid* reasons (invalidTitle,
// invalidCategoryId, mediaBodyRequired, ...) are permanent, with
// YouTube's message.
//
// # Quota
//
// With Options.Redis set, each Google project's daily quota is counted in
// Redis (herald:yt:quota:<project>:<YYYYMMDD, Pacific>, a hash with
// fields uploads and units, kept two days), shared by every worker and
// checked before each call: the videos.insert bucket (UploadsPerDay,
// default 100 as the current docs say) and the unit bucket of everything
// else (UnitsPerDay, default 10,000: 50 per thumbnail or playlist insert,
// 1 per list). Both are options because the docs disagree (older copies
// bill an upload 1,600 units: UploadUnits). A call that would go over
// waits, RateLimited until the reset, instead of failing; a quotaExceeded
// from YouTube marks the bucket spent so other jobs wait too. Analytics
// stop AnalyticsReserve units short of the budget (default 1,000, the
// thumbnails and playlists of ten uploads), so reading statistics never
// takes the units a scheduled upload needs. QuotaUsage reports the day's
// use for metrics.
//
// # Analytics
//
// Analytics reads channels.list (part=statistics, mine=true) for the
// account's followers and views, and videos.list (part=statistics, 50 ids
// a call) for each video's views, likes and comments; YouTube sends the
// counts as JSON strings. Videos YouTube does not know, and ids that are
// not video ids, are left out. RawAccount and RawPosts keep YouTube's
// statistics names (subscriberCount, viewCount, likeCount, ...).
//
// # Use
//
//	fetcher, _ := media.New(media.Options{MaxBytes: 4 << 30})
//	yt := youtube.New(youtube.Options{
//		Media: fetcher, Redis: rdb, Project: "my-gcp-project",
//	})
//	registry.Register("youtube", yt)
//
// Package youtubetest is a fake YouTube for tests and demos; point
// Options.Endpoint and UploadEndpoint at it.
//
// Platform describes YouTube for Herald (publishers.Platform): this
// publisher, Google's refresh_token grant and revocation (Revoke, which
// moved here from package tokens), and Google's RISC notices; cmd/herald
// lists it with the others.
package youtube
