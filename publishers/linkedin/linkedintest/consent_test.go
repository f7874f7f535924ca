package linkedintest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// A consent code is exchanged once, for its redirect_uri; its token
// names the member at userinfo, and the scopes come back comma-joined.
func TestConsentCodeIsBound(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetClient("cid", "secret")
	redirect := "https://herald.example/v1/oauth/linkedin/callback"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	code := func() string {
		q := url.Values{"client_id": {"cid"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid profile w_member_social"}, "state": {"st"}}
		resp, err := noFollow.PostForm(s.AuthURL()+"?"+q.Encode(), url.Values{"decision": {"allow"}, "member": {"ada"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, _ := url.Parse(resp.Header.Get("Location"))
		if u.Query().Get("state") != "st" || u.Query().Get("code") == "" {
			t.Fatalf("consent sent the browser to %s", u)
		}
		return u.Query().Get("code")
	}
	exchange := func(code, redirectURI string) (int, map[string]any) {
		resp, err := http.PostForm(s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirectURI}, "client_id": {"cid"}, "client_secret": {"secret"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans map[string]any
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans
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
