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
// Video containers take minutes. Meta's Content Publishing guide asks
// for a container's status "once per minute, for no more than 5
// minutes", and Publish does so by default: the first read at once
// (images are usually FINISHED by then), then one a minute
// (Options.PollInterval, doubling up to MaxPollDelay) for at most
// Options.MaxWait (5 minutes); then the attempt is parked, RateLimited
// after Options.HandBack (5 minutes) with its containers kept: not a
// failure, and the next attempt polls the same container on. It keeps
// within the account's call budget: when the last answer's
// X-Business-Use-Case-Usage or X-App-Usage reports more than 80% used,
// reads are spaced twice as far apart; at 95% polling stops and the
// attempt is parked until the budget recovers
// (estimated_time_to_regain_access). Sleep and Now are injectable, so
// tests run on a fake clock.
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
//
// Meta's Error Codes reference (Instagram Platform, updated June 2026)
// asks for more than a class for four subcodes, and Publish does it:
// -1/2207053 ("unknown upload error") and 24/2207006 (media not found)
// mean the container is dead but the post is not: the containers are
// forgotten and the attempt is Transient, so the next makes new ones.
// 24/2207008 is a temporary publishing error: "try again 1-2 times in the
// next 30 seconds to 2 minutes; if unsuccessful, generate a new
// container": the same container is published again a minute later
// (RateLimited, twice, counted in CheckpointPublishTries), then new
// containers. 4/2207051 is not the app's rate limit that code 4 otherwise
// is but Instagram holding the account's publishing back as suspected
// spam: Permanent with Meta's own words, never retried on a timer (that
// would look more like spam). Meta documents no answer for publishing a
// container twice; Publish never relies on one, it reads the container's
// status first (the fake answers (#100), not the 2207008 it once used).
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
//	audio_name     the reel's audio name, reels only
//	location_id    numeric Facebook Page id, not for stories
//	user_tags      JSON [{"username":"ada","x":0.5,"y":0.5}], at most 20:
//	               x and y (0.0-1.0) on an image post, none on a reel
//	collaborators  up to 3 usernames, comma-separated; not stories
//	alt_text       an image post's alt text (at most 1000 characters)
//	alt_text_N     the alt text of a carousel's image N (from 1)
//
// The fake checks these as IG User Media does, and more of what Instagram
// refuses: images must be JPEG (36001/2207005), at most 8 MiB
// (36000/2207004), with an aspect ratio from 4:5 to 1.91:1
// (36003/2207009), and an account makes at most 400 containers in 24
// hours (the fake answers a 401st with (#4), which Publish waits out:
// Meta documents the limit, not its answer).
//
// # Tokens
//
// The access token travels in the Authorization header of API calls,
// and never appears in an error: Graph messages are redacted and
// *url.Error's URL is dropped. RefreshToken renews a long-lived token
// (ig_refresh_token on graph.instagram.com, or fb_exchange_token with
// Options.AppID and AppSecret); RefreshDue says when (within
// RefreshMargin of expiry), for the Vault's per-platform refresh. The
// one exception to "never in a URL" is Instagram Login's refresh, which
// takes access_token as a query parameter: that is where Meta documents
// it and every public client sends it, and a token sent only in a header
// is not seen (Graph answers 190 without a subcode). A refusal of the
// refresh marks the account for reconnection only when the token itself
// is dead (190 with subcode 458, 459, 460, 463, 464 or 467, or a 190
// without subcode that does not say the token was missing; 10 and
// 200-299): a malformed request or a wrong app secret is the
// deployment's problem and stays Permanent, leaving accounts connected.
//
// # Two logins
//
// Meta offers two ways to connect an Instagram professional account, and
// one deployment can hold accounts of both (Login): Business Login for
// Instagram (Instagram User tokens, calls on graph.instagram.com,
// renewed with ig_refresh_token) and Facebook Login for Business
// (Facebook User tokens, calls on graph.facebook.com, renewed with
// fb_exchange_token and the Meta app's id and secret). An account's login
// is stored with its token (the token extra "login", which the Vault
// seals with it: WithLogin); a token without one is taken by its form
// (Instagram User tokens begin "IG", Facebook User tokens "EAA"), and
// failing that by Options.BaseURL's host. LoginOf decides; the session's
// host and RefreshToken's grant follow it, and a renewed token keeps its
// login. Options.BaseURL is the Facebook Login host, RefreshBaseURL the
// Instagram Login host. The fake's SetHost refuses the other login's
// tokens, as Meta's hosts do.
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
