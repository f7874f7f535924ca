// Package linkedin publishes to LinkedIn through its versioned REST API
// (Posts, Images, Documents and Videos; plain net/http, as no Go SDK is worth
// taking) and reads organization and member post statistics.
//
// Every call carries the token in the Authorization header, the
// LinkedIn-Version header (Options.Version, YYYYMM) and X-Restli-Protocol-Version
// 2.0.0. URNs in paths and queries are percent-encoded as Rest.li 2.0
// wants.
//
// # Versions
//
// LinkedIn releases a version a month and serves each "for a minimum of
// one year" (Marketing API Versioning); its migrations table sunsets each
// in the same month a year on, between the 15th and the 18th (202510:
// October 15, 2026), after which every call answers 426. DefaultVersion is
// the newest version the docs confirmed when it was last set (202607,
// July 2026). Platform's doctor check (Check.Review, on doctor's clock)
// warns when the configured version is more than nine months old and
// fails once it is more than twelve (counted from the first of its
// month); a 426 parks the post for an hour (see
// Errors) and herald_platform_version_rejected_total, with its alert
// HeraldPlatformVersionRejected, tells the operator. Move
// HERALD_LINKEDIN_VERSION (and DefaultVersion) forward every few months.
//
// # Posts
//
// The author is Request.PlatformUserID: urn:li:person:... (scope
// w_member_social) or urn:li:organization:... the member administers
// (w_organization_social), or the organization the author option names;
// anything else fails the post (Permanent) before any call. Content.Text is the commentary; Content.Media makes
// the post an image post (1 image), a multi-image post (2-20) or a video
// post (1 video, titled Content.Title); Options (unknown keys fail the
// post) add:
//
//	article_url          an article (link) post; no media
//	article_title        the article's title (default Content.Title);
//	                     required: LinkedIn does not read the page
//	article_description  the article's description
//	article_thumbnail    URL of the article's thumbnail image, uploaded
//	                     through the Images API like a post's image
//	document_url         a document post: a PDF, PPT(X) or DOC(X) of at
//	                     most 100 MB, uploaded through the Documents API;
//	                     no other media
//	document_title       the document's title (default Content.Title);
//	                     required
//	visibility           PUBLIC (default), LOGGED_IN, CONNECTIONS (members only)
//	disable_reshare      true: others cannot reshare the post
//	author               urn:li:organization:N: the post is that
//	                     organization's; it must be one of
//	                     Request.Organizations (see Organizations)
//
// # Organizations
//
// A member account connected through Herald with r_organization_admin
// (OrganizationScopes, with w_organization_social) carries the
// organizations the member administers: at connect, the Authorization's
// Identify reads the roleAssignee finder of the versioned
// /rest/organizationAcls (role=ADMINISTRATOR, state=APPROVED, 100 a page
// until the total, at most 1000; Organization Access Control by Role,
// which takes r_organization_admin or rw_organization_admin) and the
// worker hands them to Publish as Request.Organizations. A post names one
// with the author option and is created, its media uploaded, as that
// organization (w_organization_social, which the platform's Needs asks
// of the account's grant). An organization not among them fails the post
// before any call: the list is what the member administered at connect,
// and one who gained a role since connects again. Content
// administrators are not read (the finder is asked for administrators);
// an app can still hand Herald an organization's account by its URN.
// Analytics of an account stay its own: a member's posts made as an
// organization are not in the member's statistics.
//
// Images: POST /rest/images?action=initializeUpload, then PUT the bytes,
// streamed from the source through the media fetcher, to the upload URL;
// once every image of the post is uploaded, GET /rest/images/{urn} is
// polled until each is AVAILABLE (LinkedIn refuses a post whose image is
// still PROCESSING).
// Videos: POST /rest/videos?action=initializeUpload with the file size
// returns one upload URL per 4 MiB part; each part is PUT streaming from
// the source (reopened at the part's first byte with a Range request only
// when resuming), its ETag kept; finalizeUpload names the ETags in order;
// then GET /rest/videos/{urn} is polled until AVAILABLE. A transient
// failure of one part sends that part again (Options.PartRetries times,
// with backoff), never the parts before it. The token goes along to
// upload URLs only on LinkedIn's own hosts.
//
// Commentary is LinkedIn's little text format, where \ | { } @ [ ] ( ) <
// > # * _ ~ are reserved: LinkedIn cuts a post at the first one left
// unescaped. EscapeText escapes them all, except the '#' of a hashtag
// ("#launch", not "C#"), so hashtags stay hashtags. Mentions are the one
// element a text may write: @[Name](urn:li:person:...) or
// @[Name](urn:li:organization:...) (a name without reserved characters)
// stays a mention, shown as Name (Commentary; Mentions lists them);
// everything else is escaped. Commentary is at most MaxCommentary
// characters.
//
// # Exactly once
//
// LinkedIn has no idempotency key. Publish saves each step's outcome in
// Request.Checkpoints before the next step, and an attempt resumes from
// them: uploaded image URNs (CheckpointImagePrefix+N) and which of them
// LinkedIn made AVAILABLE (CheckpointImageReadyPrefix+N), the video upload
// (CheckpointVideo: URN, upload token, part URLs; capabilities, which the
// worker seals at rest), each part's ETag (CheckpointVideoPartPrefix+N),
// finalization and availability (CheckpointVideoFinalized), and the
// post's URN from x-restli-id (CheckpointPost: once set, Publish returns
// it without a call). A crash mid-upload resumes at the first part without
// an ETag; an image initialized but not uploaded is abandoned (LinkedIn
// drops it) and made again, as is one LinkedIn still shows WAITING_UPLOAD
// after its bytes were accepted. A wait cut short (a crash, a hand back)
// resumes by reading the checkpointed image's or video's status: nothing
// is uploaded twice.
//
// Creating the post is the one irreversible step. Before it is sent,
// CheckpointCreating records when; LinkedIn refusing it (a 4xx answer)
// clears the mark, but a timeout, a lost answer or a 5xx leaves it, and
// every later attempt first looks for the post among the author's posts
// created since (GET /rest/posts?q=author, newest first, up to 150), by a
// marker: the same commentary and the same content. For image and video
// posts the content is this post's own media URNs, so the match is
// certain; for text and article posts it is the commentary (and article
// URL), so two posts of one author with the same text inside that window
// could be confused: the Result could name the other one, but nothing is
// posted twice. When the post is not listed the job waits 30 seconds and
// looks once more (listings lag), then sends the post again; should it
// have existed after all, LinkedIn refuses the copy with 422
// DUPLICATE_POST naming the first post's URN, which Publish takes as
// its own. The residual risks: a listing that lags more than about half
// a minute on a post LinkedIn's duplicate check also misses, which posts
// twice; and an account that cannot list its posts.
//
// # Lost answers of a member's post
//
// Listing a member's posts needs r_member_social (Posts API, "Find Posts
// by Authors"), a closed permission LinkedIn grants few apps; an
// organization's needs r_organization_social, which the Community
// Management API grants. With the scopes an ordinary app has
// (w_member_social) no call tells whether a member's post exists: the
// Posts API reads need r_member_social, and sending the post again to
// provoke DUPLICATE_POST is not documented as reliable, so it is a bet
// that could post twice. So a lost create answer of a member's post, when
// the listing is refused (403), leaves the outcome unknown: the error is
// Transient (never Permanent: the post may well be out) and wraps
// ErrOutcomeUnknown (publishers.ErrOutcomeUnknown, which the worker
// records as the post's "unknown" state), which a caller tests
// with errors.Is; a retry looks again (the app may have been granted the
// permission since) and never posts. The fake enforces the scopes per
// endpoint (a token carries linkedintest.OrdinaryScopes unless it was
// issued with others), so this path is tested as LinkedIn behaves.
//
// # Waiting
//
// Videos take minutes to process, images seconds. Publish polls with
// backoff
// (Options.PollInterval doubling up to MaxPollDelay) for at most
// Options.MaxWait, then hands the job back as RateLimited after
// Options.HandBack: not a failure, and no worker slot held meanwhile.
// Now and Sleep are injectable, so tests run on a fake clock.
//
// # Errors
//
// Errors answer {message, serviceErrorCode, code, status} (with
// errorDetails.inputErrors on validation) and are classified as the
// table in ../../../shared/PLATFORMS.md says: 429 is RateLimited, after
// Retry-After when given, else Options.RateLimitWait; a second 429 of the
// same post on the same UTC day is taken as the daily member or app limit
// and waits until midnight UTC. 401 (and REVOKED_ACCESS_TOKEN,
// EXPIRED_ACCESS_TOKEN, INVALID_ACCESS_TOKEN) is Reauth, after one
// Request.ForceRefresh and a second try. 403 is classified by its code
// and message (forbidden.go): one that names a token problem (revoked,
// expired, invalid access token) is Reauth; any other is a refused
// permission (ACCESS_DENIED, serviceErrorCode 100, "Not enough
// permissions to access: ...": the app lacks the product, the consent
// left the scope out, or the member lost the page role) and is Permanent
// with a reason naming the scope or the role, since reconnecting rarely
// fixes it and marking the account would hide the cause. 426 (a sunset
// LinkedIn-Version, version.go) is RateLimited for an hour: not the
// post's fault, it waits for the operator to set a current
// HERALD_LINKEDIN_VERSION, and herald_platform_version_rejected_total
// counts it. 5xx and 408 are Transient; 400, 404 and 422 are Permanent
// with LinkedIn's message. PROCESSING_FAILED
// images and videos are Permanent, with LinkedIn's reason. Error texts never hold a token or an upload URL:
// answers are redacted, and *url.Error's URL is dropped.
//
// # Tokens
//
// Access tokens last 60 days. Refresh tokens (365 days from consent, not
// extended by refreshing) come only to approved partner apps. OAuth.Refresh
// is the Vault's refresh for them (grant refresh_token on
// https://www.linkedin.com/oauth/v2/accessToken, client credentials in
// the form body). It is written out rather than x/oauth2's TokenSource
// with AuthStyleInParams, which would work for the happy path, so that a
// missing refresh token and LinkedIn's wordings of a dead one all come
// back as *oauth2.RetrieveError "invalid_grant" (the Vault then marks the
// account reauth_required) and the endpoint's body, which can echo what
// it was sent, never reaches an error. For apps without refresh tokens,
// ReconnectDue says when a token is within DefaultReconnectLead of
// expiry, so the product app can ask the member to reconnect before posts
// fail. LinkedIn offers most apps no token revocation endpoint: disconnect
// deletes the token, which stays valid at LinkedIn until it expires or the
// member removes the app in their settings.
//
// # Analytics
//
// Organizations: lifetime totals of the organization and of each post
// (organizationalEntityShareStatistics, 20 posts a call; impressions,
// reach from unique impressions, clicks, likes, comments, shares) and
// followers (networkSizes), scope rw_organization_admin. Members:
// memberCreatorPostAnalytics totals (IMPRESSION, MEMBERS_REACHED,
// RESHARE, REACTION, COMMENT as impressions, reach, shares, likes,
// comments), for the member and each post, one call per metric, scope
// r_member_postAnalytics. Both: each post's likes (totalLikes) and
// comments (aggregatedTotalComments) from its social actions summary
// (GET /rest/socialActions?ids=List(...), the BATCH_GET form, 20 posts a
// call; scope r_member_social or r_organization_social), which replace
// the statistics' likes and comments; a token without that scope keeps
// the statistics' numbers. RawAccount and RawPosts keep every count under
// LinkedIn's own name (impressionCount, firstDegreeSize, IMPRESSION,
// totalLikes, ...). Since is not used: totals are lifetime.
//
//	p := linkedin.New(linkedin.Options{BaseURL: cfg.LinkedInAPIURL, Version: cfg.LinkedInVersion, Media: fetch})
//	res, err := p.Publish(ctx, publishers.Request{
//		PlatformUserID: "urn:li:organization:2414183",
//		Content:        publishers.Content{Text: "We launched #launch"},
//		Token:          tok,
//		Checkpoints:    checkpoints, // saved across attempts of the post
//	})
//
// Platform describes LinkedIn for Herald (publishers.Platform): this
// publisher and OAuth.Refresh, which the Vault calls only for a token with
// a refresh token (partner apps); other accounts publish with their access
// token until it expires and are asked to reconnect ahead of it. LinkedIn
// sends no disconnect notices and Herald revokes nothing there;
// cmd/herald lists it with the others.
package linkedin
