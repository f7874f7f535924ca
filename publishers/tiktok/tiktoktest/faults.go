package tiktoktest

import (
	"net/http"
)

// Endpoint names a kind of call, for faults and the call log.
type Endpoint string

// Endpoints.
const (
	EndpointCreatorInfo Endpoint = "creator_info" // POST /v2/post/publish/creator_info/query/
	EndpointVideoInit   Endpoint = "video_init"   // POST /v2/post/publish/video/init/
	EndpointContentInit Endpoint = "content_init" // POST /v2/post/publish/content/init/
	// EndpointInboxInit is the inbox (upload, not post) video init.
	EndpointInboxInit  Endpoint = "inbox_init"  // POST /v2/post/publish/inbox/video/init/
	EndpointUpload     Endpoint = "upload"      // PUT {upload_url}
	EndpointStatus     Endpoint = "status"      // POST /v2/post/publish/status/fetch/
	EndpointToken      Endpoint = "token"       // POST /v2/oauth/token/
	EndpointRevoke     Endpoint = "revoke"      // POST /v2/oauth/revoke/
	EndpointVideoQuery Endpoint = "video_query" // POST /v2/video/query/
	EndpointUserInfo   Endpoint = "user_info"   // GET /v2/user/info/
)

// Error codes of the TikTok API, with the HTTP status the server answers
// them with (StatusOf).
const (
	CodeAccessTokenInvalid     = "access_token_invalid"
	CodeScopeNotAuthorized     = "scope_not_authorized"
	CodeScopePermissionMissed  = "scope_permission_missed"
	CodeRateLimitExceeded      = "rate_limit_exceeded"
	CodeInternalError          = "internal_error"
	CodeInvalidParams          = "invalid_params"
	CodeInvalidFileUpload      = "invalid_file_upload"
	CodeSpamRiskTooManyPosts   = "spam_risk_too_many_posts"
	CodeSpamRiskTooManyPending = "spam_risk_too_many_pending_share"
	CodeSpamRiskUserBanned     = "spam_risk_user_banned_from_posting"
	CodeSpamRiskText           = "spam_risk_text"
	CodeReachedActiveUserCap   = "reached_active_user_cap"
	CodeUnaudited              = "unaudited_client_can_only_post_to_private_accounts"
	CodePrivacyLevelMismatch   = "privacy_level_option_mismatch"
	CodeURLOwnershipUnverified = "url_ownership_unverified"
)

// Codes lists every error code above, for table tests.
var Codes = []string{
	CodeAccessTokenInvalid, CodeScopeNotAuthorized, CodeScopePermissionMissed,
	CodeRateLimitExceeded, CodeInternalError, CodeInvalidParams, CodeInvalidFileUpload,
	CodeSpamRiskTooManyPosts, CodeSpamRiskTooManyPending, CodeSpamRiskUserBanned,
	CodeSpamRiskText, CodeReachedActiveUserCap, CodeUnaudited, CodePrivacyLevelMismatch,
	CodeURLOwnershipUnverified,
}

// StatusOf is the HTTP status TikTok sends code with.
func StatusOf(code string) int {
	switch code {
	case CodeAccessTokenInvalid, CodeScopeNotAuthorized, CodeScopePermissionMissed:
		return http.StatusUnauthorized
	case CodeRateLimitExceeded:
		return http.StatusTooManyRequests
	case CodeInternalError:
		return http.StatusInternalServerError
	case CodeSpamRiskTooManyPosts, CodeSpamRiskTooManyPending, CodeSpamRiskUserBanned,
		CodeReachedActiveUserCap, CodeUnaudited, CodeURLOwnershipUnverified:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// Fault is how a call fails: an error answer, or (Lost) no answer at all
// after the call took effect.
type Fault struct {
	// Code is the error code; empty means internal_error.
	Code string
	// Status is the HTTP status; zero means StatusOf(Code).
	Status int
	// Message is the error message; empty means a made-up one.
	Message string
	// Header is sent with the answer (Retry-After).
	Header http.Header
	// Body, if set, is sent as the answer as it is (a proxy's page, say).
	Body string
	// Lost makes the call take effect and then drops the connection
	// without an answer: the caller cannot know what happened.
	Lost bool
	// Applied makes the call take effect and then answers with the
	// fault, as a gateway's 502 or a garbled 200 after TikTok did the
	// work.
	Applied bool
}

func (f Fault) reply() reply {
	if f.Body != "" {
		return reply{status: or(f.Status, http.StatusBadGateway), raw: f.Body, header: f.Header}
	}
	code := f.Code
	if code == "" {
		code = CodeInternalError
	}
	msg := f.Message
	if msg == "" {
		msg = "injected fault: " + code
	}
	r := fail(or(f.Status, StatusOf(code)), code, msg)
	r.header = f.Header
	return r
}

func or(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// FailNext makes the next n calls to ep ("" for any) fail with f; n < 0
// fails them until FailNext(ep, 0, ...) clears the endpoint's rules.
// Rules apply in the order they were added, at most one per call.
func (s *Server) FailNext(ep Endpoint, n int, f Fault) {
	s.faults.Add(ep, n, f)
}

func (s *Server) fault(ep Endpoint) (Fault, bool) {
	return s.faults.Take(ep)
}
