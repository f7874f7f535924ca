package instagramtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// A user keeps some permissions at the consent: the exchange names them,
// the long-lived token and its refresh carry them, and creating media
// without the content publish permission answers code 10.
func TestPermissionsOfAConsent(t *testing.T) {
	s := instagramtest.New()
	defer s.Close()
	redirect := "https://herald.example/v1/oauth/instagram/callback"
	do := func(resp *http.Response, err error) (int, map[string]any) {
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans map[string]any
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans
	}
	longToken := func(grant ...string) string {
		q := url.Values{"client_id": {"app"}, "response_type": {"code"}, "redirect_uri": {redirect},
			"scope": {"instagram_business_basic,instagram_business_content_publish,instagram_business_manage_insights"}, "state": {"st"}}
		code := fakeconsent.Code(t, s.AuthURL(), q, url.Values{"user": {"1784"}, "grant": grant})
		_, ans := fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirect}, "client_id": {"app"}})
		data := ans["data"].([]any)[0].(map[string]any)
		if len(grant) > 0 && data["permissions"] != "instagram_business_basic,instagram_business_manage_insights" {
			t.Errorf("permissions %v", data["permissions"])
		}
		_, long := do(http.Get(s.URL() + "/access_token?" + url.Values{"grant_type": {"ig_exchange_token"}, "access_token": {data["access_token"].(string)}}.Encode()))
		return long["access_token"].(string)
	}
	create := func(token string) (int, map[string]any) {
		return do(http.PostForm(s.URL()+"/v23.0/1784/media", url.Values{"image_url": {"https://cdn.example.com/1.jpg"}, "access_token": {token}}))
	}
	refresh := func(token string) string {
		_, ans := do(http.Get(s.URL() + "/refresh_access_token?grant_type=ig_refresh_token&access_token=" + url.QueryEscape(token)))
		return ans["access_token"].(string)
	}
	without := longToken("instagram_business_manage_insights")
	for name, tok := range map[string]string{"long-lived": without, "refreshed": refresh(without)} {
		st, ans := create(tok)
		e, _ := ans["error"].(map[string]any)
		if st != http.StatusForbidden || e["code"] != float64(10) {
			t.Errorf("%s token without content publish: %d %v", name, st, ans)
		}
	}
	if st, ans := create(longToken()); st != http.StatusOK {
		t.Errorf("a token with every permission: %d %v", st, ans)
	}
}

// A token IssueToken made carries the permissions named, no more:
// commenting wants the comments permission, reading comments it or the
// basic one; a token the server did not issue carries OrdinaryScopes.
func TestIssuedTokenCarriesItsPermissions(t *testing.T) {
	s := instagramtest.New()
	defer s.Close()
	media := s.Seed("1784", "Sunset", time.Now())
	call := func(method, token string) (int, float64) {
		req, _ := http.NewRequest(method, s.URL()+"/v23.0/"+media+"/comments?message=hi", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans struct{ Error struct{ Code float64 } }
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans.Error.Code
	}
	for _, tc := range []struct {
		name, token string
		post, get   int
	}{
		{"publish only", s.IssueToken("1784", "instagram_business_content_publish"), 403, 403},
		{"basic", s.IssueToken("1784", "instagram_business_basic,instagram_business_content_publish"), 403, 200},
		{"comments", s.IssueToken("1784", "instagram_business_manage_comments"), 200, 200},
		{"Facebook Login comments", s.IssueToken("1784", "instagram_manage_comments"), 200, 200},
		{"issued without naming any", s.IssueToken("1784"), 200, 200},
		{"not issued by the server", "IGQVJ-any", 200, 200},
	} {
		if st, code := call(http.MethodPost, tc.token); st != tc.post || st == 403 && code != 10 {
			t.Errorf("%s: create comment %d (code %v), want %d", tc.name, st, code, tc.post)
		}
		if st, code := call(http.MethodGet, tc.token); st != tc.get || st == 403 && code != 10 {
			t.Errorf("%s: read comments %d (code %v), want %d", tc.name, st, code, tc.get)
		}
	}
}
