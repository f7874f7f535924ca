package tiktoktest

import (
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// TikTok's Login Kit for Web, for the connect flow:
//
//	GET  /v2/auth/authorize/  the consent page (Allow / Deny)
//	POST /v2/auth/authorize/  decision=allow|deny, open_id=<the user,
//	                          default "consent-openid">, grant=<a scope
//	                          the user keeps> (repeated; none: all): 303 to
//	                          redirect_uri with code and state, or
//	                          error=access_denied
//	POST /v2/oauth/token/     grant_type=authorization_code (client_key,
//	                          client_secret, code, redirect_uri) ->
//	                          access and refresh tokens, open_id, and
//	                          the granted scopes joined by commas
//
// The real consent page is on www.tiktok.com; the fake serves it on its
// API host (AuthURL). A consent issues the user's grant at once (Issue)
// and the code names its refresh token, sealed with the client secret
// with the redirect_uri and scopes it is bound to; the exchange rotates
// the grant, so a code works once.

// AuthPath is the consent page's path.
const AuthPath = "/v2/auth/authorize/"

// AuthURL is the consent page, for tiktok.Consent.AuthURL.
func (s *Server) AuthURL() string { return s.URL() + AuthPath }

type binding struct {
	Refresh     string `json:"r"`
	RedirectURI string `json:"u"`
	Scope       string `json:"s"`
}

// checkAuthorize refuses what TikTok refuses on its authorize page: an
// unknown client_key, response_type other than code, no scope or state
// (Login Kit for Web: "Redirect request to TikTok's authorization
// server", all required), and a redirect_uri that is not absolute https
// or carries a query or fragment ("Configure redirect URI"). http is let
// through on loopback, for tests.
func (s *Server) checkAuthorize(q url.Values) string {
	s.mu.Lock()
	key := s.clientKey
	s.mu.Unlock()
	u, err := url.Parse(q.Get("redirect_uri"))
	if p := fakeconsent.Problem(q, "client_key", key); p != "" {
		return p
	}
	switch {
	case q.Get("state") == "":
		return "state"
	case err != nil || u.RawQuery != "":
		return "redirect_uri"
	}
	return ""
}

// consentPage is the consent. A consent issues the user's grant at once
// (Issue), carrying the scopes the user kept, and the code names its
// refresh token; the redirect names the scopes too (Login Kit for Web:
// the callback carries code, scopes and state), and a refusal is
// error=access_denied.
func (s *Server) consentPage() *fakeconsent.Consent {
	return &fakeconsent.Consent{
		Page: fakeconsent.Page{Title: "TikTok (fake): authorize", Heading: "Allow this app to access your TikTok account?",
			Field: "open_id", Label: "open_id", Default: "consent-openid", Deny: "Deny"},
		Check:   s.checkAuthorize,
		Refused: "param_error: ",
		Denied:  url.Values{"error": {"access_denied"}, "error_description": {"The user denied the authorization."}},
		Allow: func(q, form url.Values, openID string) url.Values {
			granted := grantedOf(q.Get("scope"), form["grant"])
			t := s.Issue(openID)
			s.mu.Lock()
			s.grants[t.RefreshToken].scopes = granted
			s.mu.Unlock()
			return url.Values{"code": {s.codes().Seal(binding{Refresh: t.RefreshToken, RedirectURI: q.Get("redirect_uri"), Scope: granted})}, "scopes": {granted}}
		},
	}
}

func (s *Server) codes() fakeconsent.Codes {
	return fakeconsent.Codes{Prefix: "code.", Key: func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.clientSecret
	}}
}

// tokenOrCode is POST /v2/oauth/token/: the authorization_code grant
// here, the refresh_token grant in token.
func (s *Server) tokenOrCode(r *http.Request, c *Call) reply {
	f, err := form(r)
	if err != nil || f.Get("grant_type") != "authorization_code" {
		return s.token(r, c)
	}
	c.Params = map[string]string{"client_key": f.Get("client_key"), "grant_type": f.Get("grant_type")}
	var b binding
	ok := s.codes().Open(f.Get("code"), &b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Get("client_key") != s.clientKey || f.Get("client_secret") != s.clientSecret {
		return oauthError(http.StatusUnauthorized, "invalid_client", "Client key or secret is incorrect.")
	}
	if !ok {
		return oauthError(http.StatusBadRequest, "invalid_grant", "Authorization code is invalid.")
	}
	// RFC 6749 §4.1.3: redirect_uri must be the authorize request's.
	if f.Get("redirect_uri") != b.RedirectURI {
		return oauthError(http.StatusBadRequest, "invalid_request", "redirect_uri does not match.")
	}
	g, live := s.grants[b.Refresh]
	if !live || g.revoked || g.refresh != b.Refresh {
		return oauthError(http.StatusBadRequest, "invalid_grant", "Authorization code is expired or used.")
	}
	t := s.rotateLocked(g)
	return reply{status: http.StatusOK, body: map[string]any{
		"access_token": t.AccessToken, "expires_in": int64(s.accessLife / time.Second),
		"refresh_token": t.RefreshToken, "refresh_expires_in": int64(s.refreshLife / time.Second),
		"open_id": g.openID, "scope": b.Scope, "token_type": "Bearer",
	}}
}
