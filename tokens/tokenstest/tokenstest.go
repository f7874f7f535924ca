// Package tokenstest is a fake OAuth 2.0 token and revoke endpoint, for
// tests of the Vault and of anything that refreshes tokens: it issues
// tokens, refreshes them (optionally rotating refresh tokens), answers
// invalid_grant for refresh tokens it revoked or never issued, and counts
// every call.
package tokenstest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Server is the fake endpoint. TokenURL and RevokeURL are its endpoints.
type Server struct {
	srv *httptest.Server
	// Rotate makes every refresh issue a new refresh token and kill the
	// old one, as TikTok does. Set before use.
	Rotate bool
	// Lifetime of issued access tokens (default 1h). Set before use.
	Lifetime time.Duration

	mu        sync.Mutex
	refresh   map[string]bool // live refresh tokens
	revoked   map[string]bool
	refreshes atomic.Int64
	revokes   atomic.Int64
	latency   time.Duration
	failNext  int
}

// New starts a fake endpoint.
func New() *Server {
	s := &Server{refresh: map[string]bool{}, revoked: map[string]bool{}, Lifetime: time.Hour}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// RevokeURL is the revoke endpoint.
func (s *Server) RevokeURL() string { return s.srv.URL + "/revoke" }

// Endpoint is an oauth2.Endpoint for the fake, with client credentials in
// the form body.
func (s *Server) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
}

// Issue returns a new token whose access token expires at expiry, as a
// product app would get it at consent.
func (s *Server) Issue(expiry time.Time) *oauth2.Token {
	rt := "rt-" + random()
	s.mu.Lock()
	s.refresh[rt] = true
	s.mu.Unlock()
	return &oauth2.Token{AccessToken: "at-" + random(), RefreshToken: rt, TokenType: "Bearer", Expiry: expiry}
}

// RevokeRefreshToken kills rt, as a user removing the app would.
func (s *Server) RevokeRefreshToken(rt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refresh, rt)
	s.revoked[rt] = true
}

// Refreshes counts calls to the token endpoint.
func (s *Server) Refreshes() int { return int(s.refreshes.Load()) }

// Revocations counts calls to the revoke endpoint.
func (s *Server) Revocations() int { return int(s.revokes.Load()) }

// Revoked reports whether token was revoked through the revoke endpoint.
func (s *Server) Revoked(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revoked[token]
}

// SetLatency delays every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// FailNext makes the next n calls answer 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

func (s *Server) delay(r *http.Request) bool {
	s.mu.Lock()
	d := s.latency
	fail := s.failNext > 0
	if fail {
		s.failNext--
	}
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
	}
	return fail
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.refreshes.Add(1)
	if s.delay(r) {
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	if r.FormValue("grant_type") != "refresh_token" || r.FormValue("client_id") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	rt := r.FormValue("refresh_token")
	s.mu.Lock()
	live := s.refresh[rt]
	next := rt
	if live && s.Rotate {
		delete(s.refresh, rt)
		s.revoked[rt] = true
		next = "rt-" + random()
		s.refresh[next] = true
	}
	s.mu.Unlock()
	if !live {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
		return
	}
	body := map[string]any{"access_token": "at-" + random(), "token_type": "Bearer", "expires_in": int(s.Lifetime.Seconds())}
	if s.Rotate {
		body["refresh_token"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	s.revokes.Add(1)
	if s.delay(r) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	t := r.FormValue("token")
	s.mu.Lock()
	known := s.refresh[t]
	delete(s.refresh, t)
	if t != "" {
		s.revoked[t] = true
	}
	s.mu.Unlock()
	if !known && t == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token"})
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
