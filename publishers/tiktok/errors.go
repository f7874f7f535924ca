package tiktok

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// APIError is an error answer of the TikTok API: the HTTP status and the
// envelope's error object. Publisher errors wrap one, inside their class,
// when TikTok answered.
type APIError struct {
	Status int
	// Code is TikTok's error code, such as "spam_risk_too_many_posts";
	// empty when the answer was not TikTok's JSON.
	Code string
	// Message is TikTok's explanation, cleaned up for logs: one line, at
	// most a few hundred characters, without tokens or upload URLs.
	Message string
	LogID   string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.LogID != "" {
		fmt.Fprintf(&b, " (log_id %s)", e.LogID)
	}
	return b.String()
}

// TikTok error codes that decide a class.
const (
	codeOK                 = "ok"
	codeRateLimit          = "rate_limit_exceeded"
	codeTooManyPosts       = "spam_risk_too_many_posts"
	codeTooManyPending     = "spam_risk_too_many_pending_share"
	codeUserCap            = "reached_active_user_cap"
	codeTokenInvalid       = "access_token_invalid"
	codeScopeNotAuthorized = "scope_not_authorized"
	codeScopeMissed        = "scope_permission_missed"
	codeInternal           = "internal_error"
	codeUnaudited          = "unaudited_client_can_only_post_to_private_accounts"
)

// knownCodes are the codes kept as they come: no secret can look like
// one.
var knownCodes = map[string]bool{
	codeOK: true, codeRateLimit: true, codeTooManyPosts: true, codeTooManyPending: true, codeUserCap: true,
	codeTokenInvalid: true, codeScopeNotAuthorized: true, codeScopeMissed: true, codeInternal: true,
	codeUnaudited: true, "invalid_params": true, "invalid_file_upload": true,
	"privacy_level_option_mismatch": true, "url_ownership_unverified": true,
	"spam_risk_text": true, "spam_risk_user_banned_from_posting": true,
}

const (
	maxMessage = 300
	// DefaultRateLimitWait is how long a rate_limit_exceeded answer
	// without Retry-After makes the job wait: TikTok's limits are per
	// minute.
	DefaultRateLimitWait = time.Minute
	// DefaultPostingCapWait is how long a job waits when the creator or
	// the app reached a posting cap (spam_risk_too_many_posts, pending
	// shares, the unaudited app's 5 users a day). TikTok does not say
	// when the rolling window frees up; an hour re-asks often enough.
	DefaultPostingCapWait = time.Hour
	maxRetryAfter         = 24 * time.Hour
)

// envelope is every Content Posting and Display API answer.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
		LogID   string          `json:"log_id"`
	} `json:"error"`
}

// parseAnswer reads an answer of HTTP status: its data when it is a
// success, else an *APIError. Its input comes from outside: it must not
// panic, and no secret (token, upload URL) may survive into the error.
func parseAnswer(status int, body []byte, secrets ...string) (json.RawMessage, *APIError) {
	var env envelope
	jsonErr := json.Unmarshal(body, &env)
	if jsonErr == nil && env.Error != nil {
		code := codeOf(env.Error.Code)
		if status >= 200 && status <= 299 && (code == codeOK || code == "" || code == "0") {
			return env.Data, nil
		}
		e := &APIError{Status: status, Code: code}
		if !knownCodes[code] {
			e.Code = wire.Quote(code, 60, secrets...)
		}
		e.Message = wire.ErrorMessage(status, env.Error.Message, maxMessage, secrets...)
		if logID := wire.Quote(env.Error.LogID, 64, secrets...); logIDPattern(logID) {
			e.LogID = logID
		}
		if e.Code == codeOK {
			// An ok envelope on an error status: the status decides.
			e.Code = ""
		}
		return nil, e
	}
	if jsonErr == nil && status >= 200 && status <= 299 {
		// No error object: lenient, as long as it is JSON.
		return env.Data, nil
	}
	// Not TikTok's JSON: a proxy's page, say. Its first line is the best
	// explanation there is.
	line := wire.FirstLine(body)
	e := &APIError{Status: status, Message: wire.ErrorMessage(status, line, maxMessage, secrets...)}
	if status >= 200 && status <= 299 {
		e.Message = "answer is not JSON: " + wire.Quote(line, 100, secrets...)
	}
	return nil, e
}

// codeOf reads an error code: a JSON string (v2) or number (legacy).
func codeOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func logIDPattern(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// classify wraps e, the answer to step, in its class (see the package
// documentation's table). header and now read Retry-After.
// initRefused reports whether err proves that TikTok refused an init, so
// that no publish was started: only TikTok's own error answer (its JSON
// envelope with an error code) on a 4xx status other than 408 does. A
// 5xx, a 408, a proxy's page or a 200 that does not decode can all follow
// an init TikTok accepted (Content Posting API, "Error codes": 5xx and
// internal_error are server-side failures that say nothing of what was
// done), and so does no answer at all.
func initRefused(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.Code != "" && e.Status >= 400 && e.Status <= 499 && e.Status != http.StatusRequestTimeout
}

func classify(step string, e *APIError, header http.Header, now time.Time) error {
	err := fmt.Errorf("tiktok: %s: %w", step, e)
	switch {
	case e.Code == codeRateLimit || e.Status == http.StatusTooManyRequests:
		return publishers.RateLimited(rateLimitWait(header, now), err)
	case e.Code == codeTooManyPosts || e.Code == codeTooManyPending || e.Code == codeUserCap:
		return publishers.RateLimited(DefaultPostingCapWait, err)
	case e.Code == codeTokenInvalid || e.Code == codeScopeNotAuthorized || e.Code == codeScopeMissed:
		return publishers.Reauth(err)
	case e.Code == codeUnaudited:
		return publishers.Permanent(fmt.Errorf("%w: the TikTok app is not audited, so it may post to private accounts with privacy_level SELF_ONLY only", err))
	case e.Code == codeInternal || e.Status >= 500 || e.Status == http.StatusRequestTimeout:
		return publishers.Transient(err)
	case e.Code == "" && (e.Status == http.StatusUnauthorized):
		return publishers.Reauth(err)
	case e.Status >= 200 && e.Status <= 299, e.Status < 100:
		// A success status with an unreadable body.
		return publishers.Transient(err)
	default:
		// invalid_params, invalid_file_upload,
		// privacy_level_option_mismatch, url_ownership_unverified,
		// spam_risk_text, spam_risk_user_banned_from_posting and every
		// other 4xx: retrying cannot help.
		return publishers.Permanent(err)
	}
}

// apiError returns the *APIError in err's chain, or nil.
func apiError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func rateLimitWait(h http.Header, now time.Time) time.Duration {
	if d := wire.ParseRetryAfter(h.Get("Retry-After"), now); d > 0 {
		return d
	}
	return DefaultRateLimitWait
}

// stripURL drops the URL a *url.Error carries: upload URLs are
// capabilities, and a misconfigured base URL could hold anything.
func stripURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	return err
}
