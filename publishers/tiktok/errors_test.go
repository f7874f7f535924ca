package tiktok

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

func body(code, message string) string {
	return fmt.Sprintf(`{"data":{},"error":{"code":%q,"message":%q,"log_id":"202301010000ABCDEF"}}`, code, message)
}

func TestClassifyErrorCodes(t *testing.T) {
	tests := []struct {
		code   string
		status int
		header http.Header
		class  publishers.Class
		wait   time.Duration
	}{
		{"rate_limit_exceeded", 429, nil, publishers.ClassRateLimited, DefaultRateLimitWait},
		{"rate_limit_exceeded", 429, http.Header{"Retry-After": {"17"}}, publishers.ClassRateLimited, 17 * time.Second},
		{"spam_risk_too_many_posts", 403, nil, publishers.ClassRateLimited, DefaultPostingCapWait},
		{"spam_risk_too_many_pending_share", 403, nil, publishers.ClassRateLimited, DefaultPostingCapWait},
		{"reached_active_user_cap", 403, nil, publishers.ClassRateLimited, DefaultPostingCapWait},
		{"access_token_invalid", 401, nil, publishers.ClassReauth, 0},
		{"scope_not_authorized", 401, nil, publishers.ClassReauth, 0},
		{"scope_permission_missed", 401, nil, publishers.ClassReauth, 0},
		{"internal_error", 500, nil, publishers.ClassTransient, 0},
		{"", 502, nil, publishers.ClassTransient, 0},
		{"", 503, nil, publishers.ClassTransient, 0},
		{"", 408, nil, publishers.ClassTransient, 0},
		{"invalid_params", 400, nil, publishers.ClassPermanent, 0},
		{"invalid_file_upload", 400, nil, publishers.ClassPermanent, 0},
		{"privacy_level_option_mismatch", 400, nil, publishers.ClassPermanent, 0},
		{"url_ownership_unverified", 403, nil, publishers.ClassPermanent, 0},
		{"unaudited_client_can_only_post_to_private_accounts", 403, nil, publishers.ClassPermanent, 0},
		{"spam_risk_user_banned_from_posting", 403, nil, publishers.ClassPermanent, 0},
		{"spam_risk_text", 403, nil, publishers.ClassPermanent, 0},
		{"something_new", 400, nil, publishers.ClassPermanent, 0},
		{"", 401, nil, publishers.ClassReauth, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.code, tt.status), func(t *testing.T) {
			b := body(tt.code, "TikTok says no")
			if tt.code == "" {
				b = "<html>Bad Gateway</html>\nmore"
			}
			_, e := parseAnswer(tt.status, []byte(b), "tok")
			if e == nil {
				t.Fatal("no error parsed")
			}
			err := classify("init video upload", e, tt.header, epoch)
			if c := publishers.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after = %s, want %s", wait, tt.wait)
			}
			if apiError(err) == nil || apiError(err).Code != tt.code {
				t.Errorf("error %v does not wrap an APIError with code %q", err, tt.code)
			}
			if !strings.Contains(err.Error(), "tiktok: init video upload: ") {
				t.Errorf("error %q does not name its step", err)
			}
		})
	}
}

func TestUnauditedErrorSaysWhy(t *testing.T) {
	_, e := parseAnswer(403, []byte(body(codeUnaudited, "Please review our integration guidelines")), "tok")
	err := classify("init", e, nil, epoch)
	if !strings.Contains(err.Error(), "SELF_ONLY") || !strings.Contains(err.Error(), "not audited") {
		t.Errorf("error %q does not explain the unaudited restriction", err)
	}
}

func TestParseAnswer(t *testing.T) {
	data, e := parseAnswer(200, []byte(`{"data":{"publish_id":"v_pub_file~v2.1"},"error":{"code":"ok","message":"","log_id":"x"}}`))
	if e != nil || string(data) != `{"publish_id":"v_pub_file~v2.1"}` {
		t.Errorf("success = %s, %v", data, e)
	}
	if _, e := parseAnswer(200, []byte(body("invalid_params", "m"))); e == nil || e.Code != "invalid_params" {
		t.Errorf("error on 200 = %v", e)
	}
	if _, e := parseAnswer(200, []byte(`not json`)); e == nil || publishers.ClassOf(classify("s", e, nil, epoch)) != publishers.ClassTransient {
		t.Errorf("non-JSON 200 = %v", e)
	}
	if _, e := parseAnswer(400, []byte(`{"error":{"code":40001,"message":"legacy"}}`)); e == nil || e.Code != "40001" {
		t.Errorf("numeric code = %v", e)
	}
	e = &APIError{Status: 403, Code: "spam_risk_text", Message: "spammy", LogID: "L1"}
	if got, want := e.Error(), "403 spam_risk_text: spammy (log_id L1)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestErrorsKeepSecretsOut(t *testing.T) {
	const token = "act.SECRETtoken123"
	const upload = "https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=SECRET-ut-9"
	bodies := []string{
		body("invalid_params", "bad token "+token),
		body(token, upload),
		`{"error":{"code":"x","message":"` + url.QueryEscape(upload) + `","log_id":"` + token + `"}}`,
		"<html>" + upload + "</html>",
	}
	for _, b := range bodies {
		_, e := parseAnswer(400, []byte(b), token, upload)
		err := classify("step", e, nil, epoch)
		if s := err.Error(); strings.Contains(s, token) || strings.Contains(s, "SECRET-ut-9") {
			t.Errorf("error %q holds a secret", s)
		}
	}
	uerr := &url.Error{Op: "Put", URL: upload, Err: io.ErrUnexpectedEOF}
	if s := stripURL(fmt.Errorf("wrapped: %w", uerr)).Error(); strings.Contains(s, "SECRET") || !strings.Contains(s, "unexpected EOF") {
		t.Errorf("stripURL kept the URL or lost the cause: %q", s)
	}
	if s := transportError(t.Context(), "upload chunk 1/2", uerr, upload).Error(); strings.Contains(s, "SECRET") {
		t.Errorf("transport error %q holds the upload URL", s)
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add(200, []byte(`{"data":{"publish_id":"p"},"error":{"code":"ok"}}`), "act.secret1")
	f.Add(403, []byte(body("spam_risk_too_many_posts", "act.secret1")), "act.secret1")
	f.Add(400, []byte(`{"error":{"code":12,"message":null}}`), "act.secret1")
	f.Add(502, []byte("<html>\x00\xff</html>"), "tok12345")
	f.Add(429, []byte(`{"error":"rate_limit_exceeded"}`), "tok12345")
	f.Fuzz(func(t *testing.T, status int, b []byte, secret string) {
		data, e := parseAnswer(status, b, secret)
		if e == nil {
			if status < 200 || status > 299 {
				t.Fatalf("status %d parsed as success", status)
			}
			_ = data
			return
		}
		err := classify("step", e, http.Header{"Retry-After": {string(b)}}, epoch)
		if c := publishers.ClassOf(err); c < publishers.ClassTransient || c > publishers.ClassPermanent {
			t.Fatalf("class %v", c)
		}
		if wait, _ := publishers.RetryAfter(err); wait < 0 || wait > maxRetryAfter {
			t.Fatalf("retry after %s", wait)
		}
		if !errors.Is(err, e) {
			t.Fatal("APIError lost")
		}
		if len(secret) >= 8 && strings.Trim(secret, "0123456789 ") != "" && strings.Contains(e.Code+e.Message+e.LogID, secret) {
			t.Fatalf("secret %q in %q", secret, err)
		}
		if len([]rune(e.Message)) > maxMessage+40 || strings.ContainsAny(e.Message, "\n\r") {
			t.Fatalf("message not cleaned: %q", e.Message)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(`{"status":"PUBLISH_COMPLETE","fail_reason":"","publicaly_available_post_id":[7300000000000000001],"uploaded_bytes":10000}`))
	f.Add([]byte(`{"status":"FAILED","fail_reason":"picture_size_check_failed","publicaly_available_post_id":[],"uploaded_bytes":"12"}`))
	f.Add([]byte(`{"publicaly_available_post_id":["12",-3,1e400,{}],"uploaded_bytes":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseStatus(b)
		if err != nil {
			return
		}
		if st.UploadedBytes < 0 || st.DownloadedBytes < 0 {
			t.Fatalf("negative counts %+v", st)
		}
		for _, id := range st.PostIDs {
			if id == "" || strings.Trim(id, "0123456789") != "" {
				t.Fatalf("post id %q is not digits", id)
			}
		}
	})
}

func TestParseStatusKeepsBigIDs(t *testing.T) {
	st, err := parseStatus([]byte(`{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[7312345678901234567]}`))
	if err != nil || len(st.PostIDs) != 1 || st.PostIDs[0] != "7312345678901234567" {
		t.Errorf("parseStatus = %+v, %v", st, err)
	}
}

func FuzzParseTokenAnswer(f *testing.F) {
	f.Add([]byte(`{"access_token":"act.1","expires_in":86400,"refresh_token":"rft.1","open_id":"o"}`))
	f.Add([]byte(`{"error":"invalid_grant","error_description":"Refresh token is invalid or expired.","log_id":"L"}`))
	f.Add([]byte(`{"error":{"code":"access_token_invalid","message":"m"}}`))
	f.Add([]byte(`{"error":{"code":"ok"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseTokenAnswer(b)
		if err != nil {
			return
		}
		code, _ := a.errorCode()
		if code == codeOK {
			t.Fatal("ok read as an error code")
		}
	})
}

func TestGrantRefused(t *testing.T) {
	tests := []struct {
		code, desc string
		want       bool
	}{
		{"invalid_grant", "", true},
		{"invalid_request", "Refresh token is invalid or expired.", true},
		{"invalid_request", "refresh_token revoked", true},
		{"invalid_request", "The request parameters are malformed.", false},
		{"invalid_client", "Refresh token is invalid", false},
	}
	for _, tt := range tests {
		if got := grantRefused(tt.code, tt.desc); got != tt.want {
			t.Errorf("grantRefused(%q, %q) = %v", tt.code, tt.desc, got)
		}
	}
}
