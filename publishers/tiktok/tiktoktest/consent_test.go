package tiktoktest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// A consent code is exchanged once, for its redirect_uri, with the
// client's key and secret; the answer names the open_id and the scopes.
func TestConsentCodeIsBound(t *testing.T) {
	s := tiktoktest.New()
	defer s.Close()
	redirect := "https://herald.example/v1/oauth/tiktok/callback"
	good := func() url.Values {
		return url.Values{"client_key": {tiktoktest.DefaultClientKey}, "response_type": {"code"}, "redirect_uri": {redirect},
			"scope": {"user.info.basic,video.publish"}, "state": {"st"}}
	}
	fakeconsent.RefusesEach(t, s.AuthURL(), good, map[string]func(url.Values){
		"unknown client_key":    func(q url.Values) { q.Set("client_key", "other") },
		"no state":              func(q url.Values) { q.Del("state") },
		"redirect with a query": func(q url.Values) { q.Set("redirect_uri", redirect+"?x=1") },
		"plain http elsewhere":  func(q url.Values) { q.Set("redirect_uri", "http://herald.example/cb") },
	})
	code := func() string { return fakeconsent.Code(t, s.AuthURL(), good(), url.Values{"open_id": {"ada"}}) }
	exchange := func(code, redirectURI string) (int, map[string]any) {
		return fakeconsent.Exchange(t, s.URL()+"/v2/oauth/token/", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirectURI}, "client_key": {tiktoktest.DefaultClientKey}, "client_secret": {tiktoktest.DefaultClientSecret}})
	}
	if st, ans := exchange(code(), redirect+"x"); st != http.StatusBadRequest {
		t.Errorf("another redirect_uri: %d %v", st, ans)
	}
	if st, ans := exchange(code()+"x", redirect); st != http.StatusBadRequest || ans["error"] != "invalid_grant" {
		t.Errorf("forged code: %d %v", st, ans)
	}
	c := code()
	if st, ans := exchange(c, redirect); st != http.StatusOK || ans["open_id"] != "ada" || ans["scope"] != "user.info.basic,video.publish" {
		t.Fatalf("exchange: %d %v", st, ans)
	}
	if st, ans := exchange(c, redirect); st != http.StatusBadRequest || ans["error"] != "invalid_grant" {
		t.Errorf("second exchange: %d %v", st, ans)
	}
}
