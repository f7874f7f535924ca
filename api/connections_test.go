package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tokens"
)

// withConnect gives the fixture a Flow over the sandbox.
func withConnect(t *testing.T) func(*Options, *redistest.DB) {
	sb := sandboxserver.New()
	t.Cleanup(sb.Close)
	return func(o *Options, db *redistest.DB) {
		keys, err := tokens.ParseKeyring(testKeys)
		if err != nil {
			t.Fatal(err)
		}
		o.Connect, err = connect.New(connect.Options{
			Redis: db.Client, Keys: keys, Vault: o.Vault,
			Platforms: []publishers.Platform{sandbox.Platform(sb.URL(), nil)},
			PublicURL: "https://herald.example", ReturnURLs: []string{"https://app.example/connected"},
			Logger: o.Logger,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestStartConnection(t *testing.T) {
	f := newFixture(t, withConnect(t))
	r := f.do("POST", "/v1/connections", `{"platform":"sandbox","account_id":"acct-1","return_url":"https://app.example/connected?x=1","login_hint":"ada"}`)
	expect(t, r, http.StatusCreated)
	var c struct {
		AuthorizeURL string    `json:"authorize_url"`
		ExpiresAt    time.Time `json:"expires_at"`
	}
	r.json(t, &c)
	u, err := url.Parse(c.AuthorizeURL)
	if err != nil || u.Query().Get("redirect_uri") != "https://herald.example/v1/oauth/sandbox/callback" || u.Query().Get("login_hint") != "ada" {
		t.Errorf("authorize_url %q", c.AuthorizeURL)
	}
	if d := time.Until(c.ExpiresAt); d < 9*time.Minute || d > 10*time.Minute {
		t.Errorf("expires_at in %v, want 10 minutes", d)
	}

	r = f.do("POST", "/v1/connections", `{"platform":"sandbox","account_id":"acct-1","return_url":"https://evil.example/connected"}`)
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "return_url" {
		t.Errorf("error %+v, want one on return_url", e)
	}
	r = f.doWith("POST", "/v1/connections", `{"platform":"sandbox","account_id":"a","return_url":"https://app.example/connected"}`, nil)
	expect(t, r, http.StatusUnauthorized)
}

// The callback needs no key; an unknown state gets the HTML page.
func TestOAuthCallbackIsPublic(t *testing.T) {
	f := newFixture(t, withConnect(t))
	r := f.doWith("GET", "/v1/oauth/sandbox/callback?state=nope&code=x", "", nil)
	expect(t, r, http.StatusBadRequest)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.header.Get("Location") != "" {
		t.Errorf("callback answered %s", r.header)
	}
	if strings.Contains(f.logs.String(), "code=x") || strings.Contains(f.logs.String(), "nope") {
		t.Error("the callback's query reached the log")
	}
}

func TestConnectionsOffWithoutFlow(t *testing.T) {
	f := newFixture(t)
	expect(t, f.do("POST", "/v1/connections", `{"platform":"sandbox","account_id":"a","return_url":"https://app.example/"}`), http.StatusServiceUnavailable)
	expect(t, f.doWith("GET", "/v1/oauth/sandbox/callback?state=x", "", nil), http.StatusServiceUnavailable)
}
