package youtube

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		in string
		n  int64
		ok bool
	}{
		{"", 0, true},
		{"bytes=0-0", 1, true},
		{"bytes=0-262143", 262144, true},
		{"bytes=1-5", 0, false},
		{"bytes=0-", 0, false},
		{"bytes=0--5", 0, false},
		{"bytes=0-+5", 0, false},
		{"bytes 0-5", 0, false},
		{"bytes=0-9223372036854775807", 0, false},
		{"bytes=0-99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		n, ok := parseRange(tt.in)
		if n != tt.n || ok != tt.ok {
			t.Errorf("parseRange(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.ok)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"", "bytes=0-0", "bytes=0-262143", "bytes=5-1", "bytes=0-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := parseRange(s); ok && n < 0 {
			t.Errorf("parseRange(%q) = %d", s, n)
		}
	})
}

func TestParseAnswer(t *testing.T) {
	const secret = "ya29.s3cret"
	tests := []struct {
		name, body      string
		reason, message string
	}{
		{"google", `{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your quota.","errors":[{"message":"m","domain":"youtube.quota","reason":"quotaExceeded"}]}}`, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."},
		{"message in errors only", `{"error":{"errors":[{"message":"bad title","reason":"invalidTitle"}]}}`, "invalidTitle", "bad title"},
		{"oauth", `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`, "invalid_grant", "Token has been expired or revoked."},
		{"html", "<html>Bad Gateway</html>\nmore", "", "<html>Bad Gateway</html>"},
		{"empty", "", "", "Service Unavailable"},
		{"secret echoed", `{"error":{"message":"token ` + secret + ` bad","errors":[{"reason":"authError"}]}}`, "authError", "token [redacted] bad"},
		{"secret as reason", `{"error":{"errors":[{"reason":"` + secret + `"}]}}`, "", "Service Unavailable"},
		{"odd reason", `{"error":{"errors":[{"reason":"a b<c>"}]}}`, "", "Service Unavailable"},
		{"null error", `{"error":null}`, "", `{"error":null}`},
	}
	for _, tt := range tests {
		e := parseAnswer(503, []byte(tt.body), secret)
		if e.Reason != tt.reason || e.Message != tt.message {
			t.Errorf("%s: reason %q message %q; want %q %q", tt.name, e.Reason, e.Message, tt.reason, tt.message)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add(403, []byte(`{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}`), "tok")
	f.Add(400, []byte(`{"error":"invalid_grant"}`), "upload_id=x")
	f.Add(502, []byte("<html>"), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, secret string) {
		if len(secret) < 4 {
			secret = "" // shorter ones occur in any text by chance
		}
		e := parseAnswer(status, body, secret)
		p := New(Options{Now: func() time.Time { return time.Unix(0, 0) }})
		err := p.classify("step", e, http.Header{"Retry-After": {string(body)}})
		if secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains the secret %q", err, secret)
		}
		if strings.ContainsAny(e.Message, "\n\r") || len([]rune(e.Message)) > maxMessage+1 {
			t.Errorf("message %q is not one short line", e.Message)
		}
		if c := publishers.ClassOf(err); c < publishers.ClassTransient || c > publishers.ClassPermanent {
			t.Errorf("class %v", c)
		}
		if d, ok := publishers.RetryAfter(err); ok && (d < 0 || d > maxRetryAfter) {
			t.Errorf("retry after %s", d)
		}
	})
}

func TestQuotaDay(t *testing.T) {
	tests := []struct {
		now   time.Time
		day   string
		reset time.Time
	}{
		{time.Date(2030, 1, 15, 7, 59, 0, 0, time.UTC), "20300114", time.Date(2030, 1, 15, 8, 0, 0, 0, time.UTC)},
		{time.Date(2030, 1, 15, 8, 0, 0, 0, time.UTC), "20300115", time.Date(2030, 1, 16, 8, 0, 0, 0, time.UTC)},
		{time.Date(2030, 7, 1, 12, 0, 0, 0, time.UTC), "20300701", time.Date(2030, 7, 2, 7, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		d, reset := day(tt.now)
		if d != tt.day || !reset.Equal(tt.reset) {
			t.Errorf("day(%s) = %s, %s; want %s, %s", tt.now, d, reset.UTC(), tt.day, tt.reset)
		}
	}
}

func TestCheckSession(t *testing.T) {
	p := New(Options{})
	tests := []struct {
		loc string
		ok  bool
	}{
		{"https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=x", true},
		{"https://youtube.googleapis.com/upload/youtube/v3/videos?upload_id=x", true},
		{"http://www.googleapis.com/upload/?upload_id=x", false},
		{"https://evil.example.com/upload?upload_id=x", false},
		{"https://www.googleapis.com.evil.example/?upload_id=x", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := p.checkSession(tt.loc); (err == nil) != tt.ok {
			t.Errorf("checkSession(%q) = %v, want ok %v", tt.loc, err, tt.ok)
		}
	}
}

func TestChunkSizeRoundsUpToTheProtocolUnit(t *testing.T) {
	for in, want := range map[int64]int64{0: DefaultChunkSize, 1: chunkUnit, chunkUnit: chunkUnit, chunkUnit + 1: 2 * chunkUnit} {
		if got := New(Options{ChunkSize: in}).chunkSize; got != want {
			t.Errorf("ChunkSize %d -> %d, want %d", in, got, want)
		}
	}
}
