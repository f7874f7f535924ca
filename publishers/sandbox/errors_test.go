package sandbox

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestResponseErrorClassifies(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		class      publishers.Class
		wait       time.Duration
		text       string // the error's text contains it
	}{
		{"401 invalid token", 401, "", `{"error":{"code":"invalid_token","message":"token revoked"}}`, publishers.ClassReauth, 0, "sandbox: create draft: 401 invalid_token: token revoked"},
		{"403 forbidden", 403, "", `{"error":{"code":"forbidden","message":"missing scope"}}`, publishers.ClassReauth, 0, "403 forbidden: missing scope"},
		{"422 invalid post", 422, "", `{"error":{"code":"invalid_post","message":"video too long"}}`, publishers.ClassPermanent, 0, "sandbox: create draft: 422 invalid_post: video too long"},
		{"400 bad request", 400, "", `{"error":{"code":"bad_request","message":"body is not a draft"}}`, publishers.ClassPermanent, 0, "400 bad_request: body is not a draft"},
		{"404 not found", 404, "", `{"error":{"code":"not_found","message":"no draft \"d_9\""}}`, publishers.ClassPermanent, 0, `404 not_found: no draft "d_9"`},
		{"409 other 4xx", 409, "", `{"error":{"code":"conflict","message":"busy"}}`, publishers.ClassPermanent, 0, "409 conflict: busy"},
		{"408 request timeout", 408, "", ``, publishers.ClassTransient, 0, "408 error: Request Timeout"},
		{"429 seconds", 429, "7", `{"error":{"code":"rate_limited","message":"slow down"}}`, publishers.ClassRateLimited, 7 * time.Second, "429 rate_limited: slow down"},
		{"429 http date", 429, epoch.Add(90 * time.Second).Format(http.TimeFormat), `{}`, publishers.ClassRateLimited, 90 * time.Second, "429 rate_limited: Too Many Requests"},
		{"429 no retry-after", 429, "", `{"error":{"code":"rate_limited","message":"slow down"}}`, publishers.ClassRateLimited, 0, "429 rate_limited: slow down"},
		{"429 garbage retry-after", 429, "soon", ``, publishers.ClassRateLimited, 0, "429 rate_limited"},
		{"500", 500, "", `{"error":{"code":"unavailable","message":"oops"}}`, publishers.ClassTransient, 0, "500 unavailable: oops"},
		{"502 proxy page", 502, "", "<html>Bad Gateway</html>\n<body>...</body>", publishers.ClassTransient, 0, "502 unavailable: <html>Bad Gateway</html>"},
		{"503 empty body", 503, "", ``, publishers.ClassTransient, 0, "sandbox: create draft: 503 unavailable: Service Unavailable"},
		{"302 unexpected", 302, "", ``, publishers.ClassTransient, 0, "302 error"},
		{"bad code kept out", 422, "", `{"error":{"code":"Bad Code!","message":"m"}}`, publishers.ClassPermanent, 0, "422 invalid_post: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			err := responseError("create draft", tt.status, h, []byte(tt.body), "secret-token", epoch)
			if c := publishers.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after = %s, want %s", wait, tt.wait)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q lacks %q", err, tt.text)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Errorf("error %v does not wrap an APIError with status %d", err, tt.status)
			}
		})
	}
}

func TestResponseErrorKeepsTheTokenOut(t *testing.T) {
	const token = "s3cr3t-T0KEN.value"
	bodies := []string{
		`{"error":{"code":"invalid_token","message":"bad token ` + token + `"}}`,
		`{"error":{"code":"invalid_token","message":"` + token + token + `"}}`,
		"Authorization: Bearer " + token,
	}
	for _, b := range bodies {
		err := responseError("create draft", 401, nil, []byte(b), token, epoch)
		if strings.Contains(err.Error(), token) {
			t.Errorf("error %q contains the token", err)
		}
		if !strings.Contains(err.Error(), wire.Redacted) {
			t.Errorf("error %q does not say something was redacted", err)
		}
	}
}

func TestResponseErrorShortensLongMessages(t *testing.T) {
	body := `{"error":{"message":"` + strings.Repeat("long ", 1000) + `"}}`
	err := responseError("create draft", 500, nil, []byte(body), "tok", epoch)
	if n := len(err.Error()); n > maxMessage+100 {
		t.Errorf("error is %d bytes long", n)
	}
}

// bearerToken says whether s looks like an OAuth bearer token (RFC 6750's
// b64token) long enough to be a secret.
func bearerToken(s string) bool {
	if len(s) < 8 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~+/=", r)) {
			return false
		}
	}
	return true
}

func FuzzResponseError(f *testing.F) {
	f.Add(401, "", []byte(`{"error":{"code":"invalid_token","message":"bad"}}`), "tok-12345678")
	f.Add(422, "", []byte(`{"error":{"code":"invalid_post","message":"too long tok-12345678"}}`), "tok-12345678")
	f.Add(429, "30", []byte(`{"error":{"code":"rate_limited"}}`), "abcdefgh")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(``), "abcdefgh")
	f.Add(503, "", []byte("<html>\xff\x00 oops</html>"), "redacted")
	f.Add(0, "-1", []byte(`{"error":"not an object"}`), "")
	f.Add(-7, "99999999999999999999999", []byte(`null`), "acted]xx")
	f.Fuzz(func(t *testing.T, status int, retry string, body []byte, token string) {
		h := http.Header{"Retry-After": {retry}}
		err := responseError("create draft", status, h, body, token, epoch)
		var e *publishers.Error
		if !errors.As(err, &e) {
			t.Fatalf("unclassified error %v", err)
		}
		if want := classOfStatus(status); e.Class != want {
			t.Fatalf("status %d classified %s, want %s", status, e.Class, want)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("retry after %s", e.RetryAfter)
		}
		text := err.Error()
		if !strings.HasPrefix(text, e.Class.String()) || !strings.Contains(text, "sandbox: create draft: "+strconv.Itoa(status)+" ") {
			t.Fatalf("error %q does not name its class, step and status", text)
		}
		if bearerToken(token) && strings.Contains(text, token) {
			// The same answer without a body shows what the error says
			// on its own (status, code, delay): a token that happens to
			// be part of that was not leaked by the platform's answer.
			frame := responseError("create draft", status, h, nil, token, epoch).Error()
			if !strings.Contains(frame, token) {
				t.Fatalf("error %q contains the token %q", text, token)
			}
		}
	})
}

func classOfStatus(status int) publishers.Class {
	switch {
	case status == 401 || status == 403:
		return publishers.ClassReauth
	case status == 429:
		return publishers.ClassRateLimited
	case status == 408:
		return publishers.ClassTransient
	case status >= 400 && status <= 499:
		return publishers.ClassPermanent
	}
	return publishers.ClassTransient
}
