// Package sandboxserver is the sandbox platform: a small social network
// that runs in-process over HTTP, so Herald can be tried, demonstrated and
// tested end to end without a real platform or real accounts. It is a
// product feature (`herald sandbox`, `herald demo`), so it lives outside
// any *test package and links none: the production binary carries no
// test code. Tests reach it through package sandboxserver, a thin alias.
//
// New starts a Server on a loopback address and Close stops it; NewAt
// listens on a chosen address, for `herald demo` and `herald sandbox`.
// The publisher in package sandbox speaks its protocol.
//
// # Protocol
//
// Publishing takes two steps, as Instagram's container flow does, so that a
// publisher has to checkpoint between them:
//
//	POST /v1/drafts               {"account_id","ref","title","text","media":[{"url","kind"}]}
//	                              -> 201 {"id":"d_1"}   (every call makes a new draft)
//	POST /v1/drafts/{id}/publish  -> 200 {"id":"p_1","url":".../p/p_1","created":true}
//	                              (again: the same post, "created":false)
//	GET  /v1/drafts/{id}          -> 200 {"id":"d_1","post_id":"p_1","url":...}
//	                              (post_id and url once published: how a
//	                              client whose publish answer was lost looks)
//	GET  /v1/accounts/{id}/stats  -> {"followers":...}
//	GET  /v1/posts/{id}/stats     -> {"views":...,"likes":...,"comments":...,"shares":...}
//
// Statistics are made up (deterministic, growing with a post's age) unless
// a test sets them with SetStats and SetFollowers.
//
// API calls need "Authorization: Bearer <token>"; any token works except an
// empty one and "revoked". A token the consent (/oauth/authorize,
// /oauth/token) issued carries the scopes the user kept, and the two
// draft calls want "publish" (403 forbidden, "missing scope: publish").
// Errors are {"error":{"code","message"}}: 401
// invalid_token, 404 not_found, 422 invalid_post (account_id and ref
// required, text at most 5000 characters, media kind image or video).
// Browsers can open /p/{id} (a post), / (every post) and /media/{name} (a
// generated picture, for demo attachments).
//
// # Faults and what the server saw
//
// FailNext and FailRef make API calls fail with a Fault (a 503, a 429 with
// Retry-After, a 422 with a message, ...); SetLatency slows every API call
// down. Calls lists the API calls with their outcome, Posts the published
// posts, and Published(ref) counts the posts made for one of Herald's
// posts, which is how tests check that publishing happened exactly once:
//
//	srv := sandboxserver.New()
//	defer srv.Close()
//	srv.FailRef("post-1", 2, sandboxserver.Fault{Status: 503})
//	// ... run the worker against srv.URL() ...
//	if n := srv.Published("post-1"); n != 1 {
//		t.Errorf("published %d times, want 1", n)
//	}
package sandboxserver
