package wire

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps a platform's Retry-After: a day is the longest any
// platform's quota window runs, and a larger value is a bug to outlive.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header value, seconds or an
// HTTP-date, as a delay from now; anything else, or a time already past,
// is 0, and delays are capped at MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case secs <= 0:
			return 0
		case secs >= int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now).Round(time.Second), 0), MaxRetryAfter)
	}
	return 0
}
