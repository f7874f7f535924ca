package connect_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tokens"
)

// Every way a consent fails: either a redirect to the app with
// status=error&error=<code>, or (no trustworthy state) an HTML page; in
// both cases no account is stored.
func TestCallbackFailures(t *testing.T) {
	tests := []struct {
		name string
		// callback drives the flow up to Herald's callback and returns
		// its URL.
		callback func(r *rig) string
		wantCode string // "" means the HTML error page
	}{
		{"user denies", func(r *rig) string {
			return r.consent(r.start("a").AuthorizeURL, url.Values{"decision": {"deny"}})
		}, connect.CodeDenied},
		{"member cancels at LinkedIn", func(r *rig) string {
			return r.herald.URL + "/v1/oauth/sandbox/callback?error=user_cancelled_authorize&state=" + stateOf(r.t, r.start("a").AuthorizeURL)
		}, connect.CodeDenied},
		{"platform error", func(r *rig) string {
			return r.herald.URL + "/v1/oauth/sandbox/callback?error=server_error&state=" + stateOf(r.t, r.start("a").AuthorizeURL)
		}, connect.CodePlatformError},
		{"no code", func(r *rig) string {
			return r.herald.URL + "/v1/oauth/sandbox/callback?state=" + stateOf(r.t, r.start("a").AuthorizeURL)
		}, connect.CodePlatformError},
		{"code exchange fails", func(r *rig) string {
			return r.herald.URL + "/v1/oauth/sandbox/callback?code=forged&state=" + stateOf(r.t, r.start("a").AuthorizeURL)
		}, connect.CodeExchange},
		{"nothing asked was granted", func(r *rig) string {
			return r.consent(r.start("a").AuthorizeURL, url.Values{"decision": {"allow"}, "grant": {"other"}})
		}, connect.CodeScopeMissing},
		{"who connected cannot be read", func(r *rig) string {
			cb := r.consent(r.start("a").AuthorizeURL, allow())
			r.h.Sandbox.FailNext(1, sandboxserver.Fault{Status: http.StatusInternalServerError}) // GET /v1/me
			return cb
		}, connect.CodeIdentity},
		{"wrong platform in the callback", func(r *rig) string {
			cb := r.consent(r.start("a").AuthorizeURL, allow())
			return strings.Replace(cb, "/v1/oauth/sandbox/", "/v1/oauth/youtube/", 1)
		}, connect.CodeWrongPlatform},
		{"API key removed since Start", func(r *rig) string {
			cb := r.consent(r.start("a").AuthorizeURL, allow())
			r.mu.Lock()
			delete(r.keys, "app")
			r.mu.Unlock()
			return cb
		}, connect.CodeKeyRevoked},
		{"unknown state", func(r *rig) string {
			r.consent(r.start("a").AuthorizeURL, allow())
			return r.herald.URL + "/v1/oauth/sandbox/callback?code=x&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}, ""},
		{"no state", func(r *rig) string {
			return r.herald.URL + "/v1/oauth/sandbox/callback?code=x"
		}, ""},
		{"replayed state", func(r *rig) string {
			cb := r.consent(r.start("a").AuthorizeURL, allow())
			if res := r.result(r.get(cb, 0)); res.Get("status") != "connected" {
				r.t.Fatalf("first callback: %v", res)
			}
			if err := r.h.Vault.Disconnect(context.Background(), "a"); err != nil {
				r.t.Fatal(err)
			}
			return cb
		}, ""},
		{"expired state", func(r *rig) string {
			cb := r.consent(r.start("a").AuthorizeURL, allow())
			r.advance(connect.StateTTL)
			return cb
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			a := r.get(tt.callback(r), 0)
			if tt.wantCode == "" {
				if a.status != http.StatusBadRequest || a.location != "" || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(a.body, "Start again") {
					t.Fatalf("callback: %d to %q (%s), want the HTML error page", a.status, a.location, a.header.Get("Content-Type"))
				}
			} else if res := r.result(a); res.Get("status") != "error" || res.Get("error") != tt.wantCode || res.Get("account_id") != "a" {
				t.Fatalf("result %v, want error=%s", res, tt.wantCode)
			}
			if info, err := r.h.Vault.Info(context.Background(), "a"); err == nil && info.Status == tokens.StatusActive {
				t.Errorf("account stored: %+v", info)
			}
		})
	}
}

// A return URL the allow-list dropped between Start and the callback is
// no longer followed.
func TestCallbackRechecksTheReturnURL(t *testing.T) {
	r := newRig(t)
	cb := r.consent(r.start("a").AuthorizeURL, allow())
	stricter, err := connect.New(connect.Options{
		Redis: r.h.Redis, Keys: r.h.Keys, Vault: r.h.Vault,
		Platforms: []publishers.Platform{sandbox.Platform(r.h.Sandbox.URL(), nil)},
		PublicURL: r.herald.URL, ReturnURLs: []string{"https://elsewhere.example/"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptestRecorder(stricter, cb)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" {
		t.Fatalf("callback %d to %q, want the error page", rec.Code, rec.Header().Get("Location"))
	}
}

// Start refuses what it cannot honour, naming the field.
func TestStartRefuses(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name  string
		req   connect.Request
		field string
	}{
		{"unknown platform", connect.Request{Platform: "myspace", AccountID: "a", ReturnURL: r.app}, "platform"},
		{"no platform", connect.Request{AccountID: "a", ReturnURL: r.app}, "platform"},
		{"bad account id", connect.Request{Platform: "sandbox", AccountID: "a b", ReturnURL: r.app}, "account_id"},
		{"no return URL", connect.Request{Platform: "sandbox", AccountID: "a"}, "return_url"},
		{"return URL elsewhere", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "https://evil.example/app/done"}, "return_url"},
		{"return URL beside the prefix", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "http://127.0.0.1:1/application"}, "return_url"},
		{"return URL climbing out", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "http://127.0.0.1:1/app/../admin"}, "return_url"},
		{"return URL on another port", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "http://127.0.0.1:2/app/done"}, "return_url"},
		{"return URL with user info", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "http://x@127.0.0.1:1/app/done"}, "return_url"},
		{"return URL with a fragment", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: "http://127.0.0.1:1/app/done#x"}, "return_url"},
		{"too many scopes", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: r.app, Scopes: make([]string, 51)}, "scopes"},
		{"bad scope", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: r.app, Scopes: []string{"a b"}}, "scopes[0]"},
		{"long login hint", connect.Request{Platform: "sandbox", AccountID: "a", ReturnURL: r.app, LoginHint: strings.Repeat("x", 257)}, "login_hint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.flow.Start(context.Background(), tt.req)
			var fe *tokens.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Start: %v, want a field error on %s", err, tt.field)
			}
		})
	}
}

// The allow-list: https anywhere, http only on loopback.
func TestNewChecksTheAllowList(t *testing.T) {
	r := newRig(t)
	for _, tt := range []struct {
		prefix string
		ok     bool
	}{
		{"https://app.example.com/connected", true},
		{"http://localhost:3000/", true},
		{"http://[::1]:3000/", true},
		{"http://app.example.com/", false},
		{"https://app.example.com/?x=1", false},
		{"/relative", false},
		{"javascript:alert(1)", false},
	} {
		_, err := connect.New(connect.Options{Redis: r.h.Redis, Keys: r.h.Keys, Vault: r.h.Vault, PublicURL: "https://herald.example", ReturnURLs: []string{tt.prefix}})
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.prefix, err, tt.ok)
		}
	}
}
