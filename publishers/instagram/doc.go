// Package instagram publishes to Instagram through the Graph API's
// content publishing flow (plain net/http: no Go SDK is worth taking), and
// reads account and media insights.
//
// Instagram publishes in steps: create a media container from a public
// image or video URL (carousel items first, then a CAROUSEL container
// naming them), wait until its status_code is FINISHED, then media_publish
// it. A container is published at most once and never becomes another
// post, so exactly-once publishing comes from never making a second
// container while the first can still be published. Publish saves every
// container id (CheckpointContainer, CheckpointChildPrefix+N) and the
// published media id (CheckpointMedia) before the next step, and an
// attempt starts from what earlier attempts saved:
//
//   - media id saved: read its permalink, done;
//   - container saved: read its status. IN_PROGRESS: poll on. FINISHED:
//     publish it. PUBLISHED: an earlier media_publish went out but its
//     answer was lost; find the media (below). EXPIRED (or subcode 2207020
//     on publish): forget the containers and make new ones. ERROR: fail for
//     good with Instagram's status text, unless its subcode is a transient
//     one (2207001, 2207003, 2207032), which makes new containers on the
//     next attempt;
//   - nothing saved: read content_publishing_limit, then create.
//
// A saved container Instagram no longer knows fails the post (Permanent)
// instead of risking a second one.
//
// # Finding the media of a published container
//
// The Graph API does not link a container to its media. Publish lists the
// account's recent media (/{ig-user-id}/media, or /stories) and takes the
// oldest one published after the containers were first asked for
// (CheckpointSince) with the post's caption. The residual risk: two posts
// of one account with the same caption published within that window could
// be confused, so the Result names the wrong one; nothing is published
// twice either way. When no listed media matches (caption edited, listing
// lag), two more attempts look again and the third reports success
// without a RemoteID: the post is live, and saying otherwise would be
// false.
//
// # Waiting
//
// Video containers take minutes. Publish polls with backoff
// (Options.PollInterval doubling up to MaxPollDelay) for at most
// Options.MaxWait, then hands the job back to the queue as RateLimited
// after Options.HandBack: not a failure, and no worker slot held while
// Instagram transcodes. Sleep and Now are injectable, so tests run on a
// fake clock.
//
// # Limits and errors
//
// The 24-hour publishing limit is read before containers are made, never
// assumed (docs say 25, 50 or 100). At the limit, or on code 9 / subcode
// 2207042, Publish defers (RateLimited) until the window frees: it bisects
// over content_publishing_limit's since parameter (six probes) to find
// when the oldest counted post leaves the window, erring late by at most
// 23 minutes.
//
// Graph errors arrive as HTTP 400 with {error:{code, error_subcode,
// is_transient, ...}} and are classified on code and subcode (see the
// table in ../../../shared/PLATFORMS.md): 4, 17, 32, 341, 613 and 80002
// are RateLimited, waiting as long as X-Business-Use-Case-Usage's
// estimated_time_to_regain_access says (else Retry-After, else 5
// minutes). Publish also paces itself: when the last answer's X-App-Usage
// or X-Business-Use-Case-Usage reports 95% of a budget used, it defers
// before making containers rather than strand a half-made post. 190, 10
// and 200-299 are Reauth, after one
// Request.ForceRefresh when Instagram rejects the token (190); 1, 2,
// is_transient and subcodes 2207001, 2207003, 2207032 and 2207027 are
// Transient; everything else, 100, 2207057, 506 and the media and caption
// validation subcodes among them, is Permanent with Instagram's message.
// What can be checked before any call is (Permanent): caption length (2200
// characters), hashtags (30), mentions (20), item count (1, or 2-10 for a
// carousel), media kinds and public URLs, and the options below.
//
// # Posts and options
//
// Content.Text is the caption; Content.Media the images and videos, in
// order. Content.Options (unknown keys fail the post):
//
//	media_type     FEED (default): 1 image -> image post, 1 video -> reel,
//	               2-10 items -> carousel; REELS: 1 video; STORIES: 1 image
//	               or video, and no caption
//	share_to_feed  true|false, reels only
//	cover_url      public image URL, reels only
//	thumb_offset   milliseconds, reels only
//	location_id    numeric Facebook Page id, not for stories
//
// # Tokens
//
// The access token travels in the Authorization header, never in a URL,
// and never appears in an error: Graph messages are redacted and
// *url.Error's URL is dropped. RefreshToken renews a long-lived token
// (ig_refresh_token on graph.instagram.com, or fb_exchange_token with
// Options.AppID and AppSecret); RefreshDue says when (within
// RefreshMargin of expiry), for the Vault's per-platform refresh.
//
// # Analytics
//
// Analytics reads followers_count and media_count, account reach and
// views since AnalyticsRequest.Since (at most 30 days), and per media
// like_count and comments_count (batched, 50 ids a call) and the insights
// its media_product_type offers: views, reach, likes, comments, shares,
// saved and total_interactions for FEED and REELS; views, reach, shares,
// replies and total_interactions for STORY. Media without insights (too
// new, under 5 story viewers: code 10) keep likes and comments; media
// Instagram no longer knows are left out. RawAccount and RawPosts keep
// Graph's own names and numbers (followers_count, like_count, every
// insight returned, ...) beside the common ones.
//
//	p := instagram.New(instagram.Options{BaseURL: cfg.GraphURL, Version: "v24.0"})
//	res, err := p.Publish(ctx, publishers.Request{
//		PlatformUserID: "17841400000000001", // the ig-user-id
//		Content: publishers.Content{Text: "Hello", Media: []publishers.Media{
//			{URL: "https://cdn.example.com/a.jpg", Kind: "image"}}},
//		Token:       tok,
//		Checkpoints: checkpoints, // saved across attempts of the post
//	})
//
// Platform describes Instagram for Herald (publishers.Platform): this
// publisher, the long-lived token renewal RefreshMargin ahead of expiry
// (a refusal becomes invalid_grant for the Vault), Meta's notices, and no
// revocation (Meta offers none); cmd/herald lists it with the others.
package instagram
