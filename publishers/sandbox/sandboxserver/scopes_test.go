package sandboxserver_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A token of a consent that left publish out cannot make drafts; one
// with publish can.
func TestDraftsNeedThePublishScope(t *testing.T) {
	s := start(t)
	verifier := "v-0123456789012345678901234567890123456789012"
	sum := sha256.Sum256([]byte(verifier))
	redirect := "http://127.0.0.1:1/cb"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(grant ...string) string {
		q := url.Values{"client_id": {"herald"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"publish analytics"},
			"state": {"st"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
		resp, err := noFollow.PostForm(s.URL()+"/oauth/authorize?"+q.Encode(), url.Values{"decision": {"allow"}, "grant": grant})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		resp, err = http.PostForm(s.URL()+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"client_id": {"herald"}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(resp.Body).Decode(&ans)
		return ans.AccessToken
	}
	draft := func(tok string) int {
		req, _ := http.NewRequest("POST", s.URL()+"/v1/drafts", strings.NewReader(`{"account_id":"a","ref":"r","text":"hi"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := draft(token("analytics")); st != http.StatusForbidden {
		t.Errorf("draft without publish: %d, want 403", st)
	}
	if st := draft(token()); st != http.StatusCreated {
		t.Errorf("draft with publish: %d, want 201", st)
	}
}
