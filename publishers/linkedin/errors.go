package linkedin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// APIError is an error answer of the REST API. Publisher errors wrap one,
// inside their class, when LinkedIn answered.
type APIError struct {
	Status int
	// ServiceErrorCode is LinkedIn's number (65601: revoked token, 100:
	// permission, ...), zero when absent.
	ServiceErrorCode int
	// Code is LinkedIn's symbolic code (REVOKED_ACCESS_TOKEN,
	// ACCESS_DENIED), or the first input error's (DUPLICATE_POST).
	Code string
	// Message is LinkedIn's explanation, with its input errors, cleaned
	// up for logs: one line, a few hundred characters, no secret.
	Message string
	// Duplicate is the post URN a DUPLICATE_POST answer names.
	Duplicate string
	// hinted says a 429 came with a usable Retry-After.
	hinted bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.ServiceErrorCode != 0 {
		fmt.Fprintf(&b, " (serviceErrorCode %d)", e.ServiceErrorCode)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

const (
	maxMessage = 300
	// maxRetryAfter caps any wait read from an answer.
	maxRetryAfter = 24 * time.Hour
	codeDuplicate = "DUPLICATE_POST"
)

var (
	// Token errors: LinkedIn answers them with 401, but the codes are
	// what says so when a proxy rewrites the status.
	tokenCodes        = map[string]bool{"REVOKED_ACCESS_TOKEN": true, "EXPIRED_ACCESS_TOKEN": true, "INVALID_ACCESS_TOKEN": true}
	tokenServiceCodes = map[int]bool{65600: true, 65601: true, 65602: true}
	duplicateOf       = regexp.MustCompile(`duplicate of (urn:li:(?:share|ugcPost):[0-9]{1,30})`)
	codePattern       = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
)

// parseError reads an error answer. Its input comes from outside: it
// must not panic, must give something whatever it is given, and must
// keep secrets out of the text even if they are echoed back.
func parseError(status int, body []byte, secrets []string) *APIError {
	e := &APIError{Status: status}
	var answer struct {
		Message          string          `json:"message"`
		ServiceErrorCode json.RawMessage `json:"serviceErrorCode"`
		Code             string          `json:"code"`
		ErrorDetails     struct {
			InputErrors []struct {
				Description string `json:"description"`
				Code        string `json:"code"`
				Input       struct {
					InputPath struct {
						FieldPath string `json:"fieldPath"`
					} `json:"inputPath"`
				} `json:"input"`
			} `json:"inputErrors"`
		} `json:"errorDetails"`
	}
	msg := ""
	if json.Unmarshal(body, &answer) == nil && (answer.Message != "" || answer.Code != "" || len(answer.ServiceErrorCode) > 0 || len(answer.ErrorDetails.InputErrors) > 0) {
		e.ServiceErrorCode = wire.IntCode(answer.ServiceErrorCode)
		if codePattern.MatchString(answer.Code) {
			e.Code = answer.Code
		}
		msg = answer.Message
		for _, ie := range answer.ErrorDetails.InputErrors {
			if e.Code == "" && codePattern.MatchString(ie.Code) {
				e.Code = ie.Code
			}
			detail := strings.TrimSpace(ie.Description)
			if f := strings.TrimSpace(ie.Input.InputPath.FieldPath); f != "" {
				detail += " (" + f + ")"
			}
			if detail != "" {
				msg += "; " + detail
			}
		}
		if m := duplicateOf.FindStringSubmatch(answer.Message); m != nil {
			e.Duplicate = m[1]
			if e.Code == "" {
				e.Code = codeDuplicate
			}
		}
	} else {
		// Not LinkedIn's JSON: a proxy's page, say. Its first line is
		// the best explanation there is.
		msg = wire.FirstLine(body)
	}
	e.Message = wire.ErrorMessage(status, strings.TrimPrefix(msg, "; "), maxMessage, secrets...)
	return e
}

// tokenRefused says LinkedIn refused the token itself (expired, revoked),
// as against a scope or role it lacks.
func (e *APIError) tokenRefused() bool {
	return e.Status == http.StatusUnauthorized || tokenCodes[e.Code] || tokenServiceCodes[e.ServiceErrorCode]
}

// classify wraps e, the answer to step, in its class (see the table in
// ../../../shared/PLATFORMS.md). scope is the OAuth scope the call needs,
// named when LinkedIn refuses it; header and now read Retry-After;
// rateWait is the wait when there is none.
func classify(step, scope string, e *APIError, header http.Header, now time.Time, rateWait time.Duration) error {
	err := fmt.Errorf("linkedin: %s: %w", step, e)
	switch {
	case e.Status == http.StatusTooManyRequests:
		d := wire.ParseRetryAfter(header.Get("Retry-After"), now)
		e.hinted = d > 0
		if d <= 0 {
			d = rateWait
		}
		return publishers.RateLimited(d, err)
	case e.tokenRefused():
		return publishers.Reauth(err)
	case e.Status == http.StatusForbidden:
		if scope != "" {
			return publishers.Reauth(fmt.Errorf("linkedin: %s: the account's token lacks %s or the member's role does not allow it (reconnect with that scope): %w", step, scope, e))
		}
		return publishers.Reauth(err)
	case e.Status == http.StatusUpgradeRequired:
		return publishers.Permanent(fmt.Errorf("linkedin: %s: the LinkedIn-Version Herald sends is no longer served; configure a newer one: %w", step, e))
	case e.Status >= 500 || e.Status == http.StatusRequestTimeout || e.Status < 400:
		return publishers.Transient(err)
	default:
		// 400 and 422 validation, 404, 409, 413, 415: retrying the same
		// request cannot help.
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

// untilMidnightUTC is how long until LinkedIn's daily limits reset, plus
// a minute for clocks that differ.
func untilMidnightUTC(now time.Time) time.Duration {
	u := now.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(u) + time.Minute
}
