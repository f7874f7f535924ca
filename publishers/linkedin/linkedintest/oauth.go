package linkedintest

import (
	"fmt"
	"net/http"
	"net/url"
)

// Refresh tokens the server treats specially; any other works.
const (
	RefreshRevoked = "dead-refresh" // 400 invalid_grant
)

// TokenLife is the life of a refreshed access token (60 days).
const TokenLife = 60 * 24 * 3600

// SetClient makes the token endpoint require this client id and secret;
// empty accepts any.
func (s *Server) SetClient(id, secret string) {
	s.mu.Lock()
	s.clientID, s.secret = id, secret
	s.mu.Unlock()
}

// oauth serves POST /oauth/v2/accessToken, grant refresh_token.
func (s *Server) oauth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			return
		}
		q := url.Values{}
		for k, v := range r.PostForm {
			if k != "client_secret" && k != "refresh_token" {
				q[k] = v
			}
		}
		call := Call{Method: r.Method, Path: r.URL.Path, Endpoint: EndpointToken, Query: q, TokenInURL: r.URL.Query().Has("refresh_token") || r.URL.Query().Has("client_secret")}
		f, faulty := s.fault(EndpointToken)
		s.mu.Lock()
		id, secret := s.clientID, s.secret
		s.mu.Unlock()
		oauthErr := func(status int, code, desc string) reply {
			return reply{status: status, body: map[string]any{"error": code, "error_description": desc}}
		}
		var rep reply
		rt := r.PostForm.Get("refresh_token")
		switch {
		case faulty && !f.Lost:
			rep = f.reply(r)
		case r.PostForm.Get("grant_type") != "refresh_token":
			rep = oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be refresh_token")
		case (id != "" && r.PostForm.Get("client_id") != id) || (secret != "" && r.PostForm.Get("client_secret") != secret):
			rep = oauthErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		case rt == "" || rt == RefreshRevoked:
			rep = oauthErr(http.StatusBadRequest, "invalid_grant", fmt.Sprintf("The provided authorization grant or refresh token %s is invalid, expired or revoked", rt))
		default:
			s.mu.Lock()
			n := s.id()
			s.mu.Unlock()
			rep = reply{status: http.StatusOK, body: map[string]any{
				"access_token": fmt.Sprintf("AQV-refreshed-%d", n), "expires_in": TokenLife,
				"refresh_token": rt, "refresh_token_expires_in": 300 * 24 * 3600, "scope": "w_member_social",
			}}
		}
		call.Status, call.Lost = rep.status, faulty && f.Lost
		s.record(call)
		if call.Lost {
			lose(w)
			return
		}
		write(w, rep)
	})
}
