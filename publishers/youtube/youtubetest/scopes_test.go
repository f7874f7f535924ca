package youtubetest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

const prefix = youtubetest.ScopePrefix

// consentToken runs the consent of account, the user keeping grant (all
// when none), and returns the token answer.
func consentToken(t *testing.T, s *youtubetest.Server, account, scope string, grant ...string) map[string]any {
	t.Helper()
	redirect := "https://herald.example/v1/oauth/youtube/callback"
	q := url.Values{"client_id": {youtubetest.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {scope}, "state": {"st"}}
	code := fakeconsent.Code(t, s.AuthURL(), q, url.Values{"account": {account}, "grant": grant})
	st, ans := fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "client_id": {youtubetest.ClientID}, "client_secret": {youtubetest.ClientSecret}})
	if st != 200 {
		t.Fatalf("exchange: %d %v", st, ans)
	}
	return ans
}

func call(t *testing.T, s *youtubetest.Server, method, path, token string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(`{"snippet":{"playlistId":"PL1","resourceId":{"kind":"youtube#video","videoId":"v"}}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// A user keeps some scopes at the consent: the token answer names them,
// and each call wants a scope its method allows, answering 403
// insufficientPermissions otherwise; the refresh keeps the grant's.
func TestScopesOfAConsent(t *testing.T) {
	s := youtubetest.New()
	defer s.Close()
	asked := "openid " + prefix + "youtube.upload " + prefix + "youtube.readonly"
	ans := consentToken(t, s, "ada", asked, prefix+"youtube.readonly")
	if ans["scope"] != "openid "+prefix+"youtube.readonly" {
		t.Fatalf("granted %q", ans["scope"])
	}
	tok := ans["access_token"].(string)
	if st, _ := call(t, s, "GET", "/youtube/v3/channels?part=id&mine=true", tok); st != 200 {
		t.Errorf("channels.list with youtube.readonly: %d", st)
	}
	st, h := call(t, s, "POST", "/upload/youtube/v3/videos?uploadType=resumable&part=snippet", tok)
	if st != 403 || !strings.Contains(h.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("videos.insert without an upload scope: %d %q", st, h.Get("WWW-Authenticate"))
	}
	// youtube.upload alone does not reach playlists.
	up := consentToken(t, s, "ada", asked)["access_token"].(string)
	if st, _ := call(t, s, "POST", "/youtube/v3/playlistItems?part=snippet", up); st != 403 {
		t.Errorf("playlistItems.insert with youtube.upload: %d, want 403", st)
	}
	all := consentToken(t, s, "ada", asked+" "+prefix+"youtube")["access_token"].(string)
	if st, _ := call(t, s, "POST", "/youtube/v3/playlistItems?part=snippet", all); st == 403 {
		t.Errorf("playlistItems.insert with youtube: 403")
	}
}

// Revoking any token of an account ends every grant of it: a second
// consent's token dies with the first's.
func TestRevokeEndsTheAccountsAuthorization(t *testing.T) {
	s := youtubetest.New()
	defer s.Close()
	first := s.IssueToken("ada")
	second := s.IssueToken("ada")
	other := s.IssueToken("bob")
	resp, err := http.PostForm(s.RevokeURL(), url.Values{"token": {first.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st, _ := call(t, s, "GET", "/youtube/v3/channels?part=id&mine=true", second.AccessToken); st != 401 {
		t.Errorf("the account's other grant: %d, want 401", st)
	}
	if st, _ := call(t, s, "GET", "/youtube/v3/channels?part=id&mine=true", other.AccessToken); st != 200 {
		t.Errorf("another account's grant: %d, want 200", st)
	}
}

// The id token is an RS256 JWT that the fake's published key verifies.
func TestIDTokenVerifiesWithTheJWKSet(t *testing.T) {
	s := youtubetest.New()
	defer s.Close()
	raw := consentToken(t, s, "ada", "openid "+prefix+"youtube.readonly")["id_token"].(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id token %q", raw)
	}
	var header struct{ Alg, Kid string }
	var claims struct{ Iss, Aud, Sub string }
	for i, v := range []any{&header, &claims} {
		b, _ := base64.RawURLEncoding.DecodeString(parts[i])
		json.Unmarshal(b, v)
	}
	if header.Alg != "RS256" || claims.Iss != youtubetest.Issuer || claims.Aud != youtubetest.ClientID || claims.Sub != "ada" {
		t.Fatalf("header %+v claims %+v", header, claims)
	}
	resp, err := http.Get(s.CertsURL())
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []struct{ Kid, N, E string } }
	json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0].Kid != header.Kid {
		t.Fatalf("keys %+v", set.Keys)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature: %v", err)
	}
}

// A token carries the scopes it was issued with, its refreshes too:
// IssueToken's default (Scope) cannot comment, one issued with
// ScopeForceSSL can, and a refresh of the narrower grant stays narrow.
func TestIssuedTokenCarriesItsScopes(t *testing.T) {
	s := youtubetest.New()
	defer s.Close()
	comment := func(tok string) int {
		req, _ := http.NewRequest("POST", s.URL()+"/youtube/v3/commentThreads?part=snippet", strings.NewReader(
			`{"snippet":{"channelId":"UC1","videoId":"nosuchvideo","topLevelComment":{"snippet":{"textOriginal":"hi"}}}}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	narrow := s.IssueToken("ada")
	if st := comment(narrow.AccessToken); st != http.StatusForbidden {
		t.Errorf("commentThreads.insert with Scope: %d, want 403", st)
	}
	resp, err := http.PostForm(s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrow.RefreshToken},
		"client_id": {youtubetest.ClientID}, "client_secret": {youtubetest.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		AccessToken string `json:"access_token"`
		Scope       string
	}
	json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if ans.Scope != youtubetest.Scope || comment(ans.AccessToken) != http.StatusForbidden {
		t.Errorf("refreshed narrow grant: scope %q, want Scope and a 403", ans.Scope)
	}
	wide := s.IssueToken("ada", youtubetest.Scope, youtubetest.ScopeForceSSL)
	if st := comment(wide.AccessToken); st != http.StatusNotFound {
		t.Errorf("commentThreads.insert with force-ssl on a missing video: %d, want 404", st)
	}
}
