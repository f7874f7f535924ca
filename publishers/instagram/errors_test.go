package instagram

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func graphBody(code, subcode int, extra string) string {
	return fmt.Sprintf(`{"error":{"message":"(#%d) something","type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AbC_123"%s}}`, code, code, subcode, extra)
}

func TestClassifyGraphErrors(t *testing.T) {
	buc := http.Header{"X-Business-Use-Case-Usage": {`{"1784":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":7}]}`}}
	tests := []struct {
		name    string
		status  int
		body    string
		header  http.Header
		class   publishers.Class
		wait    time.Duration
		subcode int
	}{
		{"1 unknown", 500, graphBody(1, 0, ""), nil, publishers.ClassTransient, 0, 0},
		{"2 service", 503, graphBody(2, 0, ""), nil, publishers.ClassTransient, 0, 0},
		{"is_transient", 400, graphBody(100, 0, `,"is_transient":true`), nil, publishers.ClassTransient, 0, 0},
		{"2207001 server error", 400, graphBody(-2, 2207001, ""), nil, publishers.ClassTransient, 0, 2207001},
		{"2207003 download timeout", 400, graphBody(-2, 2207003, ""), nil, publishers.ClassTransient, 0, 2207003},
		{"2207032 create failed", 400, graphBody(-1, 2207032, ""), nil, publishers.ClassTransient, 0, 2207032},
		{"2207027 not ready", 400, graphBody(9007, 2207027, ""), nil, publishers.ClassTransient, 0, 2207027},
		{"4 app limit", 400, graphBody(4, 0, ""), nil, publishers.ClassRateLimited, defaultRateLimited, 0},
		{"4/2207051 spam restriction", 400, graphBody(4, 2207051, ""), nil, publishers.ClassPermanent, 0, 2207051},
		{"-1/2207053 unknown upload", 400, graphBody(-1, 2207053, ""), nil, publishers.ClassTransient, 0, 2207053},
		{"24/2207008 temporary publishing", 400, graphBody(24, 2207008, ""), nil, publishers.ClassTransient, 0, 2207008},
		{"24/2207006 media not found", 400, graphBody(24, 2207006, ""), nil, publishers.ClassTransient, 0, 2207006},
		{"17 user limit", 400, graphBody(17, 0, ""), buc, publishers.ClassRateLimited, 7 * time.Minute, 0},
		{"32 page limit", 400, graphBody(32, 0, ""), nil, publishers.ClassRateLimited, defaultRateLimited, 0},
		{"341 app limit", 400, graphBody(341, 0, ""), nil, publishers.ClassRateLimited, defaultRateLimited, 0},
		{"613 calls", 400, graphBody(613, 0, ""), http.Header{"Retry-After": {"90"}}, publishers.ClassRateLimited, 90 * time.Second, 0},
		{"80002 instagram BUC", 400, graphBody(80002, 0, ""), buc, publishers.ClassRateLimited, 7 * time.Minute, 0},
		{"429 without code", 429, `{}`, nil, publishers.ClassRateLimited, defaultRateLimited, 0},
		{"9 publish limit", 400, graphBody(9, 0, ""), nil, publishers.ClassRateLimited, defaultLimitWait, 0},
		{"2207042 publish limit", 400, graphBody(9, 2207042, ""), nil, publishers.ClassRateLimited, defaultLimitWait, 2207042},
		{"190 invalid token", 400, graphBody(190, 0, ""), nil, publishers.ClassReauth, 0, 0},
		{"190/458 app removed", 400, graphBody(190, 458, ""), nil, publishers.ClassReauth, 0, 458},
		{"190/460 password changed", 400, graphBody(190, 460, ""), nil, publishers.ClassReauth, 0, 460},
		{"190/463 expired", 400, graphBody(190, 463, ""), nil, publishers.ClassReauth, 0, 463},
		{"190/467 invalid", 400, graphBody(190, 467, ""), nil, publishers.ClassReauth, 0, 467},
		{"10 permission", 403, graphBody(10, 0, ""), nil, publishers.ClassReauth, 0, 0},
		{"200 permission", 400, graphBody(200, 0, ""), nil, publishers.ClassReauth, 0, 0},
		{"299 permission", 400, graphBody(299, 0, ""), nil, publishers.ClassReauth, 0, 0},
		{"401 without body", 401, ``, nil, publishers.ClassReauth, 0, 0},
		{"100 invalid parameter", 400, graphBody(100, 0, ""), nil, publishers.ClassPermanent, 0, 0},
		{"2207020 expired container", 400, graphBody(100, 2207020, ""), nil, publishers.ClassPermanent, 0, 2207020},
		{"2207057 thumb offset", 400, graphBody(100, 2207057, ""), nil, publishers.ClassPermanent, 0, 2207057},
		{"506 duplicate", 400, graphBody(506, 0, ""), nil, publishers.ClassPermanent, 0, 0},
		{"2207009 aspect ratio", 400, graphBody(9004, 2207009, ""), nil, publishers.ClassPermanent, 0, 2207009},
		{"2207026 video format", 400, graphBody(9004, 2207026, ""), nil, publishers.ClassPermanent, 0, 2207026},
		{"2207010 caption", 400, graphBody(100, 2207010, ""), nil, publishers.ClassPermanent, 0, 2207010},
		{"502 proxy page", 502, "<html>Bad Gateway</html>\nmore", nil, publishers.ClassTransient, 0, 0},
		{"500 empty", 500, ``, nil, publishers.ClassTransient, 0, 0},
		{"code as string", 400, `{"error":{"message":"m","code":"190"}}`, nil, publishers.ClassReauth, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("create container", parseError(tt.status, []byte(tt.body), []string{"tok"}), tt.header, epoch)
			if c := publishers.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after = %s, want %s", wait, tt.wait)
			}
			e := graphError(err)
			if e == nil || e.Status != tt.status || e.Subcode != tt.subcode {
				t.Fatalf("error %v does not wrap an APIError with status %d subcode %d", err, tt.status, tt.subcode)
			}
			if !strings.HasPrefix(err.Error(), publishers.ClassOf(err).String()) || !strings.Contains(err.Error(), "instagram: create container: ") {
				t.Errorf("error %q does not name its class and step", err)
			}
		})
	}
}

func TestParseErrorKeepsInstagramsWords(t *testing.T) {
	body := `{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_subcode":2207009,"error_user_title":"Aspect ratio","error_user_msg":"The aspect ratio is not supported.","fbtrace_id":"AxYz"}}`
	e := parseError(400, []byte(body), []string{"tok"})
	want := "400 code 100 subcode 2207009: Invalid parameter: The aspect ratio is not supported. (fbtrace_id AxYz)"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestErrorsKeepTheTokenOut(t *testing.T) {
	const token = "IGQVJtokenSECRET123"
	bodies := []string{
		`{"error":{"message":"bad token ` + token + `","code":190}}`,
		`{"error":{"message":"x","error_user_msg":"` + token + token + `","code":100,"type":"` + token + `","fbtrace_id":"` + token + `"}}`,
		"Authorization: Bearer " + token,
	}
	for _, b := range bodies {
		err := classify("create container", parseError(400, []byte(b), []string{token}), nil, epoch)
		if strings.Contains(err.Error(), token) {
			t.Errorf("error %q contains the token", err)
		}
	}
	uerr := &url.Error{Op: "Get", URL: "https://graph.instagram.com/refresh_access_token?access_token=" + token, Err: io.ErrUnexpectedEOF}
	if s := stripURL(fmt.Errorf("wrapped: %w", uerr)).Error(); strings.Contains(s, token) || !strings.Contains(s, "unexpected EOF") {
		t.Errorf("stripURL kept the URL or lost the cause: %q", s)
	}
}

func TestUsageHeaders(t *testing.T) {
	tests := []struct {
		buc  string
		want time.Duration
	}{
		{``, 0},
		{`garbage`, 0},
		{`{"1":[{"type":"instagram","call_count":50,"estimated_time_to_regain_access":0}]}`, 0},
		{`{"1":[{"type":"instagram","estimated_time_to_regain_access":3}],"2":[{"estimated_time_to_regain_access":12}]}`, 12 * time.Minute},
		{`{"1":[{"estimated_time_to_regain_access":1e12}]}`, maxRetryAfter},
		{`{"1":[{"estimated_time_to_regain_access":-5}]}`, 0},
	}
	for _, tt := range tests {
		if got := regainAccess(tt.buc); got != tt.want {
			t.Errorf("regainAccess(%q) = %s, want %s", tt.buc, got, tt.want)
		}
	}
	if got := appUsage(`{"call_count":28,"total_time":95,"total_cputime":25}`); got != 95 {
		t.Errorf("appUsage = %v, want 95", got)
	}
	if got := appUsage(`nope`); got != -1 {
		t.Errorf("appUsage(garbage) = %v, want -1", got)
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(graphBody(190, 460, "")), "IGQVJsecret")
	f.Add(500, []byte(`{"error":{"message":"IGQVJsecret","code":"2","is_transient":true}}`), "IGQVJsecret")
	f.Add(400, []byte(`{"error":null}`), "tok12345")
	f.Add(502, []byte("<html>\x00\xff</html>"), "tok12345")
	f.Add(429, []byte(`{"error":{"code":1e400,"error_subcode":[1]}}`), "tok12345")
	f.Fuzz(func(t *testing.T, status int, body []byte, secret string) {
		e := parseError(status, body, []string{secret})
		err := classify("step", e, http.Header{"X-Business-Use-Case-Usage": {string(body)}}, epoch)
		if c := publishers.ClassOf(err); c < publishers.ClassTransient || c > publishers.ClassPermanent {
			t.Fatalf("class %v", c)
		}
		if wait, _ := publishers.RetryAfter(err); wait < 0 || wait > maxRetryAfter {
			t.Fatalf("retry after %s", wait)
		}
		if !errors.Is(err, e) {
			t.Fatal("APIError lost")
		}
		// A token is long and not made of digits alone; shorter
		// "secrets" can appear in codes and statuses by chance.
		if len(secret) >= 8 && strings.Trim(secret, "0123456789 ") != "" && strings.Contains(e.Message+e.Type+e.FBTraceID, secret) {
			t.Fatalf("secret %q in %q", secret, err)
		}
		if len([]rune(e.Message)) > maxMessage+1 || strings.ContainsAny(e.Message, "\n\r") {
			t.Fatalf("message not cleaned: %q", e.Message)
		}
	})
}

func FuzzUsageHeaders(f *testing.F) {
	f.Add(`{"1":[{"type":"instagram","estimated_time_to_regain_access":3}]}`)
	f.Add(`{"call_count":28,"total_time":25,"total_cputime":25}`)
	f.Add(`{"1":[{"estimated_time_to_regain_access":NaN}]}`)
	f.Fuzz(func(t *testing.T, v string) {
		if d := regainAccess(v); d < 0 || d > maxRetryAfter {
			t.Fatalf("regainAccess(%q) = %s", v, d)
		}
		appUsage(v)
		if d := rateLimitWait(http.Header{"X-Business-Use-Case-Usage": {v}, "Retry-After": {v}}, epoch); d <= 0 || d > maxRetryAfter {
			t.Fatalf("rateLimitWait = %s", d)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	f.Add("2026-05-24T19:33:56+0000")
	f.Add("2026-05-24T19:33:56Z")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime(s)
		if err == nil && tm.IsZero() && s == "" {
			t.Fatal("empty timestamp parsed")
		}
	})
}
