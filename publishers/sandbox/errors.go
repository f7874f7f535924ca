package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// APIError is an error answer of the platform. Publisher errors wrap one,
// inside their class, when the platform answered.
type APIError struct {
	Status int
	// Code is the platform's error code (invalid_post, rate_limited, ...).
	Code string
	// Message is the platform's explanation, cleaned up for logs: one
	// line, at most a few hundred characters, without the access token.
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// maxRetryAfter caps the platform's Retry-After: a longer wait is most
// likely garbage, and a day is long enough for a scheduled post.
const maxRetryAfter = 24 * time.Hour

// maxMessage bounds, in characters, the platform's message kept in errors.
const maxMessage = 300

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// responseError turns a non-2xx answer into a classified error naming
// step. Its input comes from outside: it must not panic, must classify
// whatever it is given, and must keep secret (the access token) out of the
// text even if the platform echoes it back. now reads HTTP-date
// Retry-After values.
func responseError(step string, status int, header http.Header, body []byte, secret string, now time.Time) error {
	e := &APIError{Status: status, Code: defaultCode(status)}
	var answer struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &answer) == nil {
		if c := answer.Error.Code; codePattern.MatchString(c) && wire.Redact(c, secret) == c {
			e.Code = c
		}
		msg = answer.Error.Message
	} else {
		// Not the platform's JSON: a proxy's page, say. Its first line
		// is the best explanation there is.
		msg = wire.FirstLine(body)
	}
	e.Message = wire.ErrorMessage(status, msg, maxMessage, secret)
	err := fmt.Errorf("sandbox: %s: %w", step, e)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		// 403 too: a token without the right scopes is fixed by
		// connecting the account again, not by retrying.
		return publishers.Reauth(err)
	case status == http.StatusTooManyRequests:
		return publishers.RateLimited(wire.ParseRetryAfter(header.Get("Retry-After"), now), err)
	case status == http.StatusRequestTimeout:
		return publishers.Transient(err)
	case status >= 400 && status <= 499:
		return publishers.Permanent(err)
	default:
		// 5xx, and statuses a platform should not answer with at all:
		// worth another try.
		return publishers.Transient(err)
	}
}

func defaultCode(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_token"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status == http.StatusNotFound:
		return "not_found"
	case status == http.StatusUnprocessableEntity:
		return "invalid_post"
	case status >= 500 && status <= 599:
		return "unavailable"
	}
	return "error"
}
