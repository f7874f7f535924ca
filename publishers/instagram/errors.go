package instagram

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

// APIError is an error answer of the Graph API. Publisher errors wrap one,
// inside their class, when the platform answered.
type APIError struct {
	Status  int
	Code    int
	Subcode int
	Type    string
	// Message is Instagram's explanation (error_user_msg appended when
	// there is one), cleaned up for logs: one line, at most a few hundred
	// characters, without the access token.
	Message     string
	IsTransient bool
	FBTraceID   string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, " code %d", e.Code)
	}
	if e.Subcode != 0 {
		fmt.Fprintf(&b, " subcode %d", e.Subcode)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.FBTraceID != "" {
		fmt.Fprintf(&b, " (fbtrace_id %s)", e.FBTraceID)
	}
	return b.String()
}

// Graph error codes and subcodes that change what the publisher does.
const (
	codePublishLimit     = 9
	subcodePublishLimit  = 2207042
	subcodeExpired       = 2207020
	subcodeNotReady      = 2207027
	codeInvalidToken     = 190
	codeNotEnoughViewers = 10 // also "permission denied"; see Analytics
)

var (
	rateLimitCodes     = map[int]bool{4: true, 17: true, 32: true, 341: true, 613: true, 80002: true}
	transientCodes     = map[int]bool{1: true, 2: true}
	transientSubcodes  = map[int]bool{2207001: true, 2207003: true, 2207032: true, subcodeNotReady: true}
	reauthCodes        = map[int]bool{codeInvalidToken: true, 10: true, 102: true}
	maxMessage         = 300
	defaultRateLimited = 5 * time.Minute
	defaultLimitWait   = time.Hour
	maxRetryAfter      = 24 * time.Hour
	fbtracePattern     = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,64}$`)
)

// parseError reads a Graph error body. Its input comes from outside: it
// must not panic, must give something whatever it is given, and must keep
// secrets out of the text even if the platform echoes them back.
func parseError(status int, body []byte, secrets []string) *APIError {
	e := &APIError{Status: status}
	var answer struct {
		Error struct {
			Message     string          `json:"message"`
			Type        string          `json:"type"`
			Code        json.RawMessage `json:"code"`
			Subcode     json.RawMessage `json:"error_subcode"`
			IsTransient json.RawMessage `json:"is_transient"`
			UserTitle   string          `json:"error_user_title"`
			UserMessage string          `json:"error_user_msg"`
			FBTraceID   string          `json:"fbtrace_id"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &answer) == nil && answer.Error.Message+answer.Error.Type+string(answer.Error.Code) != "" {
		a := answer.Error
		e.Code = wire.IntCode(a.Code)
		e.Subcode = wire.IntCode(a.Subcode)
		e.IsTransient = string(a.IsTransient) == "true"
		e.Type = wire.Quote(a.Type, 60, secrets...)
		if fbtracePattern.MatchString(a.FBTraceID) && wire.Redact(a.FBTraceID, secrets...) == a.FBTraceID {
			e.FBTraceID = a.FBTraceID
		}
		msg = a.Message
		if u := strings.TrimSpace(a.UserMessage); u != "" && u != strings.TrimSpace(msg) {
			msg += ": " + u
		}
	} else {
		// Not Graph's JSON: a proxy's page, say. Its first line is the
		// best explanation there is.
		msg = wire.FirstLine(body)
	}
	e.Message = wire.ErrorMessage(status, msg, maxMessage, secrets...)
	return e
}

// classify wraps e, the answer to step, in its class. header paces rate
// limits; now reads HTTP-date Retry-After values.
func classify(step string, e *APIError, header http.Header, now time.Time) error {
	err := fmt.Errorf("instagram: %s: %w", step, e)
	switch {
	case e.Code == codePublishLimit || e.Subcode == subcodePublishLimit:
		// The 24-hour publishing limit; Publish replaces the wait with
		// an estimate of when the window frees up.
		return publishers.RateLimited(defaultLimitWait, err)
	case e.Subcode == subcodeExpired:
		// Publish makes a new container; anywhere else it is final.
		return publishers.Permanent(err)
	case rateLimitCodes[e.Code] || e.Status == http.StatusTooManyRequests:
		return publishers.RateLimited(rateLimitWait(header, now), err)
	case reauthCodes[e.Code] || (e.Code >= 200 && e.Code <= 299):
		return publishers.Reauth(err)
	case transientCodes[e.Code] || transientSubcodes[e.Subcode] || e.IsTransient:
		return publishers.Transient(err)
	case e.Code == 0 && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden):
		return publishers.Reauth(err)
	case e.Status >= 500 || e.Status == http.StatusRequestTimeout || e.Status < 400:
		return publishers.Transient(err)
	default:
		// 100 (invalid parameter), 2207057, 506 (duplicate), media and
		// caption validation subcodes: retrying cannot help.
		return publishers.Permanent(err)
	}
}

// graphError returns the *APIError in err's chain, or nil.
func graphError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// rateLimitWait reads how long to wait from the answer's headers: the
// business use case's estimated_time_to_regain_access (minutes), a
// Retry-After, or a default.
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	if d := regainAccess(h.Get("X-Business-Use-Case-Usage")); d > 0 {
		return min(d, maxRetryAfter)
	}
	if d := wire.ParseRetryAfter(h.Get("Retry-After"), now); d > 0 {
		return d
	}
	return defaultRateLimited
}

// usage is one entry of X-App-Usage or X-Business-Use-Case-Usage: shares
// of the budget in percent, and (business use case only) minutes until
// calls are accepted again.
type usage struct {
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	RegainAccess float64 `json:"estimated_time_to_regain_access"`
}

func (u usage) highest() float64 { return max(u.CallCount, u.TotalCPUTime, u.TotalTime) }

// regainAccess reads X-Business-Use-Case-Usage, {"<business id>":
// [{"type":"instagram","call_count":..,"estimated_time_to_regain_access":
// minutes}, ...]}, and returns the longest wait it names.
func regainAccess(v string) time.Duration {
	var byBusiness map[string][]usage
	if json.Unmarshal([]byte(v), &byBusiness) != nil {
		return 0
	}
	var longest float64
	for _, us := range byBusiness {
		for _, u := range us {
			longest = max(longest, u.RegainAccess)
		}
	}
	if longest <= 0 || longest != longest {
		return 0
	}
	if longest >= float64(maxRetryAfter/time.Minute) {
		return maxRetryAfter
	}
	return time.Duration(longest * float64(time.Minute)).Round(time.Second)
}

// appUsage reads X-App-Usage, {"call_count":28,"total_time":25,
// "total_cputime":25}, as the highest share of the app's hourly budget in
// use, in percent; -1 when absent or unreadable.
func appUsage(v string) float64 {
	var u usage
	if v == "" || json.Unmarshal([]byte(v), &u) != nil {
		return -1
	}
	return u.highest()
}

// businessUsage reads X-Business-Use-Case-Usage as the highest share of
// any business use case's budget in use, in percent; -1 when absent.
func businessUsage(v string) float64 {
	var byBusiness map[string][]usage
	if v == "" || json.Unmarshal([]byte(v), &byBusiness) != nil {
		return -1
	}
	highest := -1.0
	for _, us := range byBusiness {
		for _, u := range us {
			highest = max(highest, u.highest())
		}
	}
	return highest
}
