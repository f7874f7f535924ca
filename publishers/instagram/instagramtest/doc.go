// Package instagramtest is a fake Instagram Graph API for tests: the
// content publishing flow, the publishing limit, media and insights reads
// and token refresh, over HTTP on a loopback address, with faults on
// demand and a log of what it saw.
//
// Like net/http/httptest, New starts a Server and Close stops it; URL is
// both the Graph base URL and the refresh base URL of an
// instagram.Publisher. Paths carry any version segment ("/v24.0/...").
//
// # Protocol
//
//	POST /{v}/{ig-user-id}/media          image_url | video_url, media_type (REELS, STORIES, CAROUSEL,
//	                                      VIDEO for carousel items), is_carousel_item, children,
//	                                      caption, ... -> {"id"}  (every call a new container)
//	GET  /{v}/{container-id}?fields=status_code,status
//	                                      IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED
//	POST /{v}/{ig-user-id}/media_publish  creation_id -> {"id": media id}; once per container
//	GET  /{v}/{ig-user-id}/content_publishing_limit?fields=quota_usage,config[&since=unix]
//	                                      -> {"data":[{"quota_usage","config":{"quota_total","quota_duration"}}]}
//	GET  /{v}/{ig-user-id}/media, /stories  recent media, newest first
//	GET  /{v}/{media-id}?fields=...       permalink, caption, timestamp, like_count, ...
//	GET  /{v}/?ids=a,b&fields=...         batched media reads (an unknown id fails the batch)
//	GET  /{v}/{ig-user-id}?fields=followers_count,media_count
//	GET  /{v}/{id}/insights?metric=...    media insights per media_product_type (FEED,
//	                                      REELS, STORY; others are code 100), account
//	                                      insights with metric_type=total_value
//	GET  /refresh_access_token?grant_type=ig_refresh_token&access_token=...  (the token
//	                                      in the query only: one only in a header is 190)
//	POST /{v}/oauth/access_token          grant_type=fb_exchange_token, client_id,
//	                                      client_secret, fb_exchange_token
//
// Errors are Graph's: HTTP 400 (500 for codes 1 and 2) with
// {"error":{"message","type","code","error_subcode","is_transient","fbtrace_id"}}.
// Tokens come in the Authorization header (Bearer or OAuth) or as
// access_token; any works except TokenRevoked and TokenExpired (code 190),
// and a token in the URL is noted in the call log (Call.TokenInURL), so
// tests can check a client never puts one there. A token carries the
// permissions granted when it was issued, from then on: a consent's
// those granted (grant= fields on the consent form leave some out), its
// long-lived and refreshed successors too; IssueToken's those the test
// names; any other token OrdinaryScopes. Creating and publishing media
// want the content publish permission, commenting the comments one, and
// answer code 10 without it (permissions.go).
//
// Ids are numeric: containers start with 179, media with 180, and any
// other number is an account.
//
// # What it refuses, as Instagram does
//
// Each rule cites its source in the code: container parameters
// (rules.go: user_tags, collaborators, alt_text, audio_name, cover_url,
// share_to_feed, thumb_offset, location_id by media type, (#100)
// otherwise); images (SetImage: JPEG only 36001/2207005, at most 8 MiB
// 36000/2207004, aspect ratio 4:5 to 1.91:1 36003/2207009); 400
// containers per account in 24 hours ((#4)); the call budget (SetUsage:
// a reported 100% is enforced with 80002, budget.go); the host (SetHost:
// graph.instagram.com refuses Facebook User tokens, graph.facebook.com
// Instagram User tokens, 190); a second media_publish of a container
// ((#100); Meta documents none, and 2207008 is its temporary publishing
// error, not this).
//
// # Time, faults and what the server saw
//
// SetClock gives the server the test's fake clock. SetProcessing (or
// SetMediaProcessing for one media URL) decides how containers get ready:
// after a number of status reads, after clock time, or into ERROR with a
// status text; containers expire 24 hours after creation on that clock, or
// at once with ExpireContainers. SetPublishingLimit sets quota_total; Seed
// adds posts published at a chosen time, to fill the window. Statistics
// are made up (deterministic, growing with a media's age) unless
// SetMediaStats and SetAccountStats set them.
//
// FailNext makes the next calls to an Endpoint fail with any Graph error
// (code, subcode, is_transient, error_user_msg, rate-limit headers), or,
// with Fault.Lost, take effect and then drop the connection: a lost
// media_publish answer. Calls is the call log; Containers, Media,
// Created(caption) and Published(caption) tell how many containers and
// posts each post produced:
//
//	srv := instagramtest.New()
//	defer srv.Close()
//	srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
//	// ... publish "Hello" through srv.URL(), twice ...
//	if srv.Published("Hello") != 1 { t.Error("published twice") }
//
// Comments: POST /{ig-media-id}/comments?message= as the media's owner
// and GET /{ig-media-id}/comments (newest first, limit and after), both
// refused with code 10 to a token without the comments permission
// (IssueToken(user, permissions...) makes one); EndpointComment and
// EndpointComments take faults, Lost ones included. There is no delete:
// the Graph API offers none for media.
package instagramtest
