package linkedintest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// A consent code is exchanged once, for its redirect_uri; its token
// names the member at userinfo, and the scopes come back comma-joined.
func TestConsentCodeIsBound(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetClient("cid", "secret")
	redirect := "https://herald.example/v1/oauth/linkedin/callback"
	q := url.Values{"client_id": {"cid"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid profile w_member_social"}, "state": {"st"}}
	code := func() string { return fakeconsent.Code(t, s.AuthURL(), q, url.Values{"member": {"ada"}}) }
	exchange := func(code, redirectURI string) (int, map[string]any) {
		return fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirectURI}, "client_id": {"cid"}, "client_secret": {"secret"}})
	}
	if st, ans := exchange(code(), redirect+"x"); st != http.StatusBadRequest || ans["error"] != "invalid_redirect_uri" {
		t.Errorf("another redirect_uri: %d %v", st, ans)
	}
	c := code()
	st, ans := exchange(c, redirect)
	if st != http.StatusOK || ans["scope"] != "openid,profile,w_member_social" {
		t.Fatalf("exchange: %d %v", st, ans)
	}
	if st, ans := exchange(c, redirect); st != http.StatusBadRequest {
		t.Errorf("second exchange: %d %v", st, ans)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+ans["access_token"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info["sub"] != "ada" {
		t.Errorf("userinfo %v", info)
	}
}

// The consent page refuses a bad authorize request with a 400, never a
// redirect ("Step 2: Request an Authorization Code"); a member who
// cancels comes back with user_cancelled_authorize.
func TestConsentRefusesABadAuthorizeRequest(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetClient("cid", "secret")
	good := func() url.Values {
		return url.Values{"client_id": {"cid"}, "response_type": {"code"}, "redirect_uri": {"https://herald.example/cb"}, "scope": {"w_member_social"}, "state": {"st"}}
	}
	fakeconsent.RefusesEach(t, s.AuthURL(), good, map[string]func(url.Values){
		"response_type token":  func(q url.Values) { q.Set("response_type", "token") },
		"another client_id":    func(q url.Values) { q.Set("client_id", "other") },
		"no scope":             func(q url.Values) { q.Del("scope") },
		"plain http elsewhere": func(q url.Values) { q.Set("redirect_uri", "http://herald.example/cb") },
	})
	if st, loc, _ := fakeconsent.Decide(s.AuthURL(), good(), url.Values{"decision": {"deny"}}); st != http.StatusSeeOther || loc.Query().Get("error") != "user_cancelled_authorize" || loc.Query().Get("state") != "st" {
		t.Errorf("deny: %d %v", st, loc)
	}
}
