package youtubetest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// A consent code is exchanged once, for its redirect_uri, with the
// verifier of its challenge; the answer carries an id token.
func TestConsentCodeIsBound(t *testing.T) {
	s := youtubetest.New()
	defer s.Close()
	verifier := "v-0123456789012345678901234567890123456789012"
	sum := sha256.Sum256([]byte(verifier))
	redirect := "https://herald.example/v1/oauth/youtube/callback"
	q := url.Values{"client_id": {youtubetest.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {"openid https://www.googleapis.com/auth/youtube.upload"}, "state": {"st"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	code := func() string { return fakeconsent.Code(t, s.AuthURL(), q, url.Values{"account": {"ada"}}) }
	exchange := func(code, redirectURI, verifier string) (int, map[string]any) {
		return fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"code_verifier": {verifier}, "client_id": {youtubetest.ClientID}, "client_secret": {youtubetest.ClientSecret}})
	}
	if st, ans := exchange(code(), redirect+"x", verifier); st != http.StatusBadRequest || ans["error"] != "redirect_uri_mismatch" {
		t.Errorf("another redirect_uri: %d %v", st, ans)
	}
	if st, ans := exchange(code(), redirect, verifier+"x"); st != http.StatusBadRequest || ans["error"] != "invalid_grant" {
		t.Errorf("another verifier: %d %v", st, ans)
	}
	c := code()
	if st, ans := exchange(c, redirect, verifier); st != http.StatusOK || ans["id_token"] == nil || ans["refresh_token"] == nil {
		t.Fatalf("exchange: %d %v", st, ans)
	}
	if st, ans := exchange(c, redirect, verifier); st != http.StatusBadRequest || ans["error"] != "invalid_grant" {
		t.Errorf("second exchange: %d %v", st, ans)
	}
}
