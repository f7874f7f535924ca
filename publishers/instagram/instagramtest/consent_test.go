package instagramtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// A consent code is exchanged once, for its redirect_uri, for a
// short-lived token, which becomes a long-lived one that /me knows.
func TestConsentCodeIsBound(t *testing.T) {
	s := instagramtest.New()
	defer s.Close()
	s.SetAppSecret("secret")
	redirect := "https://herald.example/v1/oauth/instagram/callback"
	q := url.Values{"client_id": {"app"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"instagram_business_basic"}, "state": {"st"}}
	code := func() string { return fakeconsent.Code(t, s.AuthURL(), q, url.Values{"user": {"1784"}}) }
	do := func(resp *http.Response, err error) (int, map[string]any) {
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans map[string]any
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans
	}
	exchange := func(code, redirectURI string) (int, map[string]any) {
		return fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirectURI}, "client_id": {"app"}, "client_secret": {"secret"}})
	}
	if st, ans := exchange(code(), redirect+"x"); st != http.StatusBadRequest {
		t.Errorf("another redirect_uri: %d %v", st, ans)
	}
	c := code()
	st, ans := exchange(c, redirect)
	data, _ := ans["data"].([]any)
	if st != http.StatusOK || len(data) != 1 {
		t.Fatalf("exchange: %d %v", st, ans)
	}
	if st, ans := exchange(c, redirect); st != http.StatusBadRequest {
		t.Errorf("second exchange: %d %v", st, ans)
	}
	short := data[0].(map[string]any)["access_token"].(string)
	st, long := do(http.Get(s.URL() + "/access_token?" + url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {"secret"}, "access_token": {short}}.Encode()))
	if st != http.StatusOK || long["access_token"] == nil || long["access_token"] == short {
		t.Fatalf("long-lived: %d %v", st, long)
	}
	st, me := do(http.Get(s.URL() + "/me?fields=user_id,username&access_token=" + url.QueryEscape(long["access_token"].(string))))
	if st != http.StatusOK || me["user_id"] != "1784" {
		t.Errorf("/me: %d %v", st, me)
	}
}

// The consent page refuses a bad authorize request with a 400, never a
// redirect (Business Login for Instagram, "Step 1: Get Authorization").
func TestConsentRefusesABadAuthorizeRequest(t *testing.T) {
	s := instagramtest.New()
	defer s.Close()
	good := func() url.Values {
		return url.Values{"client_id": {"app"}, "response_type": {"code"}, "redirect_uri": {"https://herald.example/cb"}, "scope": {"instagram_business_basic"}}
	}
	fakeconsent.RefusesEach(t, s.AuthURL(), good, map[string]func(url.Values){
		"response_type token":  func(q url.Values) { q.Set("response_type", "token") },
		"no client_id":         func(q url.Values) { q.Del("client_id") },
		"no scope":             func(q url.Values) { q.Del("scope") },
		"plain http elsewhere": func(q url.Values) { q.Set("redirect_uri", "http://herald.example/cb") },
	})
	if st, loc, _ := fakeconsent.Decide(s.AuthURL(), good(), url.Values{"decision": {"deny"}}); st != http.StatusSeeOther || loc.Query().Get("error") != "access_denied" || loc.Fragment != "_" {
		t.Errorf("deny: %d %v", st, loc)
	}
}
