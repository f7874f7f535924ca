package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// APIError is an error answer of YouTube. Publisher errors wrap one,
// inside their class, when YouTube answered.
type APIError struct {
	Status int
	// Reason is the first of Google's error reasons (quotaExceeded,
	// invalidTitle, ...), or "" when the answer had none.
	Reason string
	// Message is YouTube's explanation, cleaned up for logs: one line,
	// a few hundred characters at most, secrets redacted.
	Message string
}

func (e *APIError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "error"
	}
	return fmt.Sprintf("%d %s: %s", e.Status, reason, e.Message)
}

// Waits of rate-limited errors that carry no Retry-After.
const (
	// uploadLimitWait is how long a channel over its daily upload cap
	// waits: the cap is a rolling day, and another try costs an upload
	// from the project's bucket.
	uploadLimitWait = 24 * time.Hour
	maxRetryAfter   = 24 * time.Hour
	maxMessage      = 300
	maxAnswer       = 1 << 20
)

// reasons maps Google's error reasons to what Herald does. Reasons not
// listed are classified by status.
var reasons = map[string]publishers.Class{
	"quotaExceeded":           publishers.ClassRateLimited,
	"dailyLimitExceeded":      publishers.ClassRateLimited,
	"rateLimitExceeded":       publishers.ClassRateLimited,
	"userRateLimitExceeded":   publishers.ClassRateLimited,
	"uploadLimitExceeded":     publishers.ClassRateLimited,
	"uploadRateLimitExceeded": publishers.ClassRateLimited,
	"backendError":            publishers.ClassTransient,
	"internalError":           publishers.ClassTransient,
	"authError":               publishers.ClassReauth,
	"insufficientPermissions": publishers.ClassReauth,
	"youtubeSignupRequired":   publishers.ClassReauth,
	"forbidden":               publishers.ClassPermanent,
	"badRequest":              publishers.ClassPermanent,
}

// quotaReason says the project's daily quota is gone until the reset.
func quotaReason(reason string) bool {
	return reason == "quotaExceeded" || reason == "dailyLimitExceeded"
}

// classify turns an error answer into a classified error naming step.
// now dates HTTP-date Retry-After values and the quota reset.
func (p *Publisher) classify(step string, e *APIError, header http.Header) error {
	err := fmt.Errorf("youtube: %s: %w", step, e)
	class, known := reasons[e.Reason]
	switch {
	case known:
	case e.Status == http.StatusUnauthorized:
		class = publishers.ClassReauth
	case e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooManyRequests, e.Status >= 500:
		class = publishers.ClassTransient
	case e.Status >= 400:
		// invalidTitle, invalidCategoryId, mediaBodyRequired, ...:
		// the post is wrong as it is.
		class = publishers.ClassPermanent
	default:
		class = publishers.ClassTransient
	}
	switch class {
	case publishers.ClassRateLimited:
		now := p.now()
		switch {
		case quotaReason(e.Reason):
			return publishers.RateLimited(p.quota.untilReset(now), err)
		case e.Reason == "uploadLimitExceeded":
			return publishers.RateLimited(uploadLimitWait, err)
		}
		return publishers.RateLimited(wire.ParseRetryAfter(header.Get("Retry-After"), now), err)
	case publishers.ClassReauth:
		return publishers.Reauth(err)
	case publishers.ClassPermanent:
		return publishers.Permanent(err)
	}
	return publishers.Transient(err)
}

// parseAnswer reads an error answer: Google's JSON
// {"error":{"code","message","errors":[{"reason","message"}]}}, the OAuth
// form {"error":"invalid_grant","error_description"}, or anything else, of
// which the first line is kept. Its input comes from outside: it never
// panics and keeps every secret out of the message.
func parseAnswer(status int, body []byte, secrets ...string) *APIError {
	e := &APIError{Status: status}
	var google struct {
		Error json.RawMessage `json:"error"`
	}
	var detail struct {
		Message string `json:"message"`
		Errors  []struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	var oauth struct {
		Description string `json:"error_description"`
	}
	msg := ""
	switch {
	case json.Unmarshal(body, &google) == nil && json.Unmarshal(google.Error, &detail) == nil && len(google.Error) > 0 && google.Error[0] == '{':
		msg = detail.Message
		if len(detail.Errors) > 0 {
			e.Reason = detail.Errors[0].Reason
			if msg == "" {
				msg = detail.Errors[0].Message
			}
		}
	case len(google.Error) > 0 && google.Error[0] == '"':
		json.Unmarshal(google.Error, &e.Reason)
		json.Unmarshal(body, &oauth)
		msg = oauth.Description
	default:
		msg = wire.FirstLine(body)
	}
	e.Reason = cleanReason(e.Reason, secrets)
	e.Message = wire.ErrorMessage(status, msg, maxMessage, secrets...)
	return e
}

// cleanReason keeps a reason only if it looks like one.
func cleanReason(r string, secrets []string) string {
	if len(r) == 0 || len(r) > 64 {
		return ""
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return ""
		}
	}
	if wire.Redact(r, secrets...) != r {
		return ""
	}
	return r
}

// fromGoogle converts an error of the official client: a *googleapi.Error
// when YouTube answered, a transport error otherwise.
func (p *Publisher) fromGoogle(ctx context.Context, step string, err error, secrets []string) error {
	var g *googleapi.Error
	if !errors.As(err, &g) {
		return transportError(ctx, step, err)
	}
	e := parseAnswer(g.Code, []byte(g.Body), secrets...)
	if e.Reason == "" && len(g.Errors) > 0 {
		e.Reason = cleanReason(g.Errors[0].Reason, secrets)
	}
	if e.Message == "no message" || e.Message == http.StatusText(g.Code) {
		if m := wire.Quote(g.Message, maxMessage, secrets...); m != "" {
			e.Message = m
		}
	}
	return p.classify(step, e, g.Header)
}

// transportError classifies a failure to get an answer at all. The
// *url.Error that net/http returns prints the URL, which for uploads is
// the session (a capability): only its cause is kept.
func transportError(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return publishers.Transient(fmt.Errorf("youtube: %s: %w", step, ctx.Err()))
	}
	var classified *publishers.Error
	if errors.As(err, &classified) {
		// The media stream failed (too large, server gone) while it
		// was being sent.
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return publishers.Transient(fmt.Errorf("youtube: %s: %s: timeout", step, uerr.Op))
		}
		err = uerr.Err
	}
	return publishers.Transient(fmt.Errorf("youtube: %s: %w", step, err))
}

// refreshError classifies a failed forced refresh.
func refreshError(step string, err error) error {
	var classified *publishers.Error
	if errors.As(err, &classified) {
		return err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client") {
		return publishers.Reauth(fmt.Errorf("youtube: %s: refresh token: %s", step, re.ErrorCode))
	}
	return publishers.Transient(fmt.Errorf("youtube: %s: refresh token: %w", step, err))
}
