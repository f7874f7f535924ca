package instagramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// Business Login for Instagram, for the connect flow (the real hosts in
// brackets; the fake serves them all):
//
//	GET  /oauth/authorize     [www.instagram.com] consent page (Allow / Deny)
//	POST /oauth/authorize     decision=allow|deny, user=<IG user id,
//	                          default "17841400000000001">, grant=<a
//	                          permission the user keeps> (repeated;
//	                          none: all): 303 to
//	                          redirect_uri with code (and "#_" after it, as
//	                          Instagram appends) and state, or
//	                          error=access_denied
//	POST /oauth/access_token  [api.instagram.com] client_id, client_secret,
//	                          grant_type=authorization_code, redirect_uri,
//	                          code -> {"data":[{access_token (short-lived,
//	                          1 hour), user_id, permissions}]}
//	GET  /access_token        [graph.instagram.com] grant_type=
//	                          ig_exchange_token, client_secret,
//	                          access_token=<short-lived> -> long-lived
//	                          {access_token, token_type, expires_in}
//	GET  /me                  fields=user_id,username of a token the
//	                          consent issued
//
// A code carries its user, redirect_uri and scopes, sealed with the app
// secret; the call log remembers which were exchanged, so each works
// once (Instagram: codes "are valid for 1 hour and can only be used
// once").

// AuthPath is the consent page's path, TokenPath the code exchange's.
const (
	AuthPath  = "/oauth/authorize"
	TokenPath = "/oauth/access_token"
)

// AuthURL is the consent page, for instagram.Consent.AuthURL;
// TokenURL the code exchange, for instagram.Consent.TokenURL.
func (s *Server) AuthURL() string  { return s.ts.URL + AuthPath }
func (s *Server) TokenURL() string { return s.ts.URL + TokenPath }

const (
	shortToken = "IGshort."
	longToken  = "IGlong."
)

type binding struct {
	User        string `json:"u"`
	RedirectURI string `json:"r"`
	Scope       string `json:"s"`
	At          int64  `json:"t"`
	Nonce       int64  `json:"n"`
}

// checkAuthorize refuses what Instagram refuses before consent (Business
// Login for Instagram, "Step 1: Get Authorization"): response_type other
// than code, no client_id or scope, a redirect_uri that is not absolute
// https (http let through on loopback for tests).
func checkAuthorize(q url.Values) string {
	return map[string]string{
		"response_type": "response_type must be code", "client_id": "client_id is required",
		"scope": "scope is required", "redirect_uri": "Invalid redirect_uri",
	}[fakeconsent.Problem(q, "client_id", "")]
}

// consentPage is the consent: a user who cancels comes back with
// error=access_denied and error_reason=user_denied; Instagram appends
// "#_" to the redirect (Instagram Platform reference, OAuth Authorize:
// the end of the redirect URI gets #_).
func (s *Server) consentPage() *fakeconsent.Consent {
	return &fakeconsent.Consent{
		Page: fakeconsent.Page{Title: "Instagram (fake): allow access", Heading: "Allow this app to access your Instagram professional account?",
			Field: "user", Label: "IG user", Default: "17841400000000001", Deny: "Cancel"},
		Check:  checkAuthorize,
		Denied: url.Values{"error": {"access_denied"}, "error_reason": {"user_denied"}},
		Allow: func(q, form url.Values, user string) url.Values {
			s.mu.Lock()
			s.next++
			b := binding{User: user, RedirectURI: q.Get("redirect_uri"), Scope: grantedOf(q.Get("scope"), form["grant"]), At: s.now().Unix(), Nonce: s.next}
			s.mu.Unlock()
			return url.Values{"code": {s.codes().Seal(b)}}
		},
		Suffix: "#_",
	}
}

func (s *Server) codes() fakeconsent.Codes {
	return fakeconsent.Codes{Prefix: "AQB.", Key: func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return "instagramtest:" + s.appSecret
	}}
}

func writeJSON(w http.ResponseWriter, rep reply) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(rep.status)
	json.NewEncoder(w).Encode(rep.body)
}

// exchangeCode is POST /oauth/access_token: a code for a short-lived
// token, once, for its redirect_uri, with the app secret (when
// SetAppSecret set one), within the hour.
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	r.ParseForm()
	f := r.PostForm
	var b binding
	ok := s.codes().Open(f.Get("code"), &b)
	call := Call{Method: r.Method, Path: r.URL.Path, Endpoint: EndpointRefresh,
		Params: url.Values{"grant_type": {f.Get("grant_type")}, "code_sha256": {fakeconsent.Hash(f.Get("code"))}}}
	s.mu.Lock()
	rep := func() reply {
		switch {
		case f.Get("grant_type") != "authorization_code":
			return fail(http.StatusBadRequest, 100, 0, "Unsupported grant_type")
		case f.Get("client_id") == "" || (s.appSecret != "" && f.Get("client_secret") != s.appSecret):
			return fail(http.StatusBadRequest, 101, 0, "Error validating client secret.")
		case !ok || s.now().Sub(time.Unix(b.At, 0)) > time.Hour:
			return fail(http.StatusBadRequest, 100, 0, "Invalid authorization code")
		case f.Get("redirect_uri") != b.RedirectURI:
			return fail(http.StatusBadRequest, 100, 0, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		case s.exchangedLocked(call.Params.Get("code_sha256")):
			return fail(http.StatusBadRequest, 100, 0, "This authorization code has been used")
		}
		s.next++
		at := fmt.Sprintf("%s%s.%d", shortToken, b.User, s.next)
		s.grantLocked(at, b.Scope)
		return answer(map[string]any{"data": []map[string]any{{
			"access_token": at, "user_id": b.User, "permissions": b.Scope,
		}}})
	}()
	call.Status, call.At = rep.status, s.now()
	s.calls.Add(call) // under s.mu with the check: one code, one exchange
	s.mu.Unlock()
	writeJSON(w, rep)
}

func (s *Server) exchangedLocked(sum string) bool {
	for _, c := range s.calls.All() {
		if c.Status == http.StatusOK && c.Params.Get("code_sha256") == sum {
			return true
		}
	}
	return false
}

// longLived is GET /access_token?grant_type=ig_exchange_token: a
// short-lived token of a consent for a 60-day one.
func (s *Server) longLived(r *http.Request, token string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := userOf(token, shortToken)
	switch {
	case r.Form.Get("grant_type") != "ig_exchange_token":
		return fail(http.StatusBadRequest, 100, 0, "Unsupported grant_type")
	case s.appSecret != "" && r.Form.Get("client_secret") != s.appSecret:
		return fail(http.StatusBadRequest, 101, 0, "Error validating client secret.")
	case !ok:
		return fail(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token")
	}
	s.next++
	long := fmt.Sprintf("%s%s.%d", longToken, user, s.next)
	if p, known := s.permissions[token]; known {
		s.grantLocked(long, p)
	}
	return answer(map[string]any{"access_token": long, "token_type": "bearer", "expires_in": 5184000})
}

// me is GET /me for tokens a consent issued.
func (s *Server) me(r *http.Request, token string) reply {
	user, ok := userOf(token, longToken)
	if !ok {
		if user, ok = userOf(token, shortToken); !ok {
			return fail(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		}
	}
	return answer(map[string]any{"id": user, "user_id": user, "username": "user" + user})
}

func userOf(token, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(token, prefix)
	i := strings.LastIndex(rest, ".")
	if !ok || i <= 0 {
		return "", false
	}
	return rest[:i], true
}
