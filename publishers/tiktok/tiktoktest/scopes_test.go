package tiktoktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// consent runs the consent of openID asking scope, the user keeping
// grant (all when none), and returns the token answer.
func consent(t *testing.T, s *tiktoktest.Server, openID, scope string, grant ...string) map[string]any {
	t.Helper()
	redirect := "https://herald.example/v1/oauth/tiktok/callback"
	q := url.Values{"client_key": {tiktoktest.DefaultClientKey}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {scope}, "state": {"st"}}
	code := fakeconsent.Code(t, s.AuthURL(), q, url.Values{"open_id": {openID}, "grant": grant})
	_, ans := fakeconsent.Exchange(t, s.URL()+"/v2/oauth/token/", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "client_key": {tiktoktest.DefaultClientKey}, "client_secret": {tiktoktest.DefaultClientSecret}})
	return ans
}

func postScoped(t *testing.T, s *tiktoktest.Server, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+path, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Error struct{ Code string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&ans)
	return resp.StatusCode, ans.Error.Code
}

// A user keeps some scopes: the answer names them (user.info.basic
// stays), and an endpoint wanting another answers scope_not_authorized.
func TestScopesOfAConsent(t *testing.T) {
	s := tiktoktest.New()
	defer s.Close()
	ans := consent(t, s, "ada", "user.info.basic,video.publish,video.list", "video.list")
	if ans["scope"] != "user.info.basic,video.list" {
		t.Fatalf("granted %v", ans["scope"])
	}
	tok := ans["access_token"].(string)
	for path, want := range map[string]string{
		"/v2/post/publish/creator_info/query/": "scope_not_authorized",
		"/v2/post/publish/video/init/":         "scope_not_authorized",
		"/v2/post/publish/inbox/video/init/":   "scope_not_authorized",
		"/v2/video/query/":                     "",
	} {
		st, code := postScoped(t, s, path, tok)
		if (want == "") != (code != "scope_not_authorized") || (want != "" && st != http.StatusUnauthorized) {
			t.Errorf("%s: %d %s, want %q", path, st, code, want)
		}
	}
	all := consent(t, s, "ada", "user.info.basic,video.publish")["access_token"].(string)
	if _, code := postScoped(t, s, "/v2/post/publish/creator_info/query/", all); code == "scope_not_authorized" {
		t.Error("creator_info refused a token with video.publish")
	}
}

// Revoking a token ends every grant of its user.
func TestRevokeEndsTheUsersAuthorization(t *testing.T) {
	s := tiktoktest.New()
	defer s.Close()
	first, second, other := s.Issue("ada"), s.Issue("ada"), s.Issue("bea")
	resp, err := http.PostForm(s.URL()+"/v2/oauth/revoke/", url.Values{"client_key": {tiktoktest.DefaultClientKey},
		"client_secret": {tiktoktest.DefaultClientSecret}, "token": {first.AccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !s.Revoked(second.AccessToken) || s.Revoked(other.AccessToken) {
		t.Errorf("revoked: ada's other grant %v, bea's %v; want true, false", s.Revoked(second.AccessToken), s.Revoked(other.AccessToken))
	}
}
