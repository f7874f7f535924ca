package tiktoktest

import (
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// grant is one user's authorization: its refresh tokens (only the newest
// is live) and access tokens.
type grant struct {
	openID    string
	refresh   string // the live refresh token
	refreshAt time.Time
	revoked   bool
	// scopes are the granted scopes, comma-joined; "" means AllScopes.
	scopes       string
	accessExpiry map[string]time.Time
	expired      map[string]bool
}

// Issue authorizes a new user (open_id) and returns its first tokens, as
// the authorization code exchange would.
func (s *Server) Issue(openID string) *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &grant{openID: openID, accessExpiry: map[string]time.Time{}, expired: map[string]bool{}}
	return s.rotateLocked(g)
}

// rotateLocked gives g a new access token and a new refresh token; the
// old refresh token dies.
func (s *Server) rotateLocked(g *grant) *oauth2.Token {
	n := s.newID()
	at := fmt.Sprintf("act.%s.%06d!4a7b9c", g.openID, n)
	rt := fmt.Sprintf("rft.%s.%06d!8d2e1f", g.openID, n)
	g.refresh, g.refreshAt = rt, s.now()
	g.accessExpiry[at] = s.now().Add(s.accessLife)
	s.grants[rt] = g
	s.access[at] = g
	return &oauth2.Token{AccessToken: at, RefreshToken: rt, TokenType: "Bearer", Expiry: s.now().Add(s.accessLife)}
}

// ExpireAccessToken makes TikTok refuse at (access_token_invalid), as
// when it expired early.
func (s *Server) ExpireAccessToken(at string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[at]
	if !ok {
		g = &grant{accessExpiry: map[string]time.Time{at: s.now()}, expired: map[string]bool{}}
		s.access[at] = g
	}
	g.expired[at] = true
}

// LiveRefreshToken is openID's current refresh token, or "" when the
// grant was revoked or never made.
func (s *Server) LiveRefreshToken(openID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grants {
		if g.openID == openID && !g.revoked {
			return g.refresh
		}
	}
	return ""
}

// Revoked says whether the grant that issued at was revoked.
func (s *Server) Revoked(at string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[at]
	return ok && g.revoked
}

func oauthError(status int, code, desc string) reply {
	return reply{status: status, code: code, body: map[string]string{"error": code, "error_description": desc, "log_id": "20300102030405FAKEOAUTH"}}
}

// token is the refresh_token grant of POST /v2/oauth/token/.
func (s *Server) token(r *http.Request, c *Call) reply {
	f, err := form(r)
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request parameters are malformed.")
	}
	c.Params = map[string]string{"client_key": f.Get("client_key"), "grant_type": f.Get("grant_type")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Get("client_key") != s.clientKey || f.Get("client_secret") != s.clientSecret {
		return oauthError(http.StatusUnauthorized, "invalid_client", "Client key or secret is incorrect.")
	}
	if f.Get("grant_type") != "refresh_token" {
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.")
	}
	rt := f.Get("refresh_token")
	g, ok := s.grants[rt]
	if !ok || g.revoked || g.refresh != rt || !s.now().Before(g.refreshAt.Add(s.refreshLife)) {
		return oauthError(http.StatusBadRequest, "invalid_grant", "Refresh token is invalid or expired.")
	}
	t := s.rotateLocked(g)
	return reply{status: http.StatusOK, body: map[string]any{
		"access_token": t.AccessToken, "expires_in": int64(s.accessLife / time.Second),
		"refresh_token": t.RefreshToken, "refresh_expires_in": int64(s.refreshLife / time.Second),
		"open_id": g.openID, "scope": g.scopeList(), "token_type": "Bearer",
	}}
}

// revoke is POST /v2/oauth/revoke/: it "disconnects your app from the
// user's TikTok account" (Revoke a User Access Token), so every grant of
// the token's user ends, not only the token's.
func (s *Server) revoke(r *http.Request, c *Call) reply {
	f, err := form(r)
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request parameters are malformed.")
	}
	c.Params = map[string]string{"client_key": f.Get("client_key")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Get("client_key") != s.clientKey || f.Get("client_secret") != s.clientSecret {
		return oauthError(http.StatusUnauthorized, "invalid_client", "Client key or secret is incorrect.")
	}
	at := f.Get("token")
	g, ok := s.access[at]
	if !ok || g.revoked || g.expired[at] || !s.now().Before(g.accessExpiry[at]) {
		return oauthError(http.StatusUnauthorized, CodeAccessTokenInvalid, "The access token is invalid or not found in the request.")
	}
	for _, other := range s.grants {
		if other.openID == g.openID {
			other.revoked = true
		}
	}
	g.revoked = true
	return reply{status: http.StatusOK, body: map[string]any{}}
}
