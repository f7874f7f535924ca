package instagramtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/internal/consentcode"
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

var consentPage = htmltemplate.Must(htmltemplate.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Instagram (fake): allow access</title></head>
<body><h1>Allow this app to access your Instagram professional account?</h1><p>{{.Scope}}</p>
<form method="post">
<p><label>IG user <input name="user" value="17841400000000001"></label></p>
<button name="decision" value="allow" id="allow">Allow</button>
<button name="decision" value="deny" id="deny">Cancel</button>
</form></body></html>
`))

// checkAuthorize refuses what Instagram refuses before consent (Business
// Login for Instagram, "Step 1: Get Authorization"): response_type other
// than code, no client_id or scope, a redirect_uri that is not absolute
// https (http let through on loopback for tests).
func checkAuthorize(q url.Values) string {
	u, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case q.Get("client_id") == "":
		return "client_id is required"
	case strings.TrimSpace(q.Get("scope")) == "":
		return "scope is required"
	case err != nil || !u.IsAbs() || u.Fragment != "":
		return "Invalid redirect_uri"
	case u.Scheme != "https" && !(u.Scheme == "http" && consentcode.Loopback(u.Hostname())):
		return "Invalid redirect_uri"
	}
	return ""
}

func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	if p := checkAuthorize(r.URL.Query()); p != "" {
		http.Error(w, p, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentPage.Execute(w, map[string]string{"Scope": r.URL.Query().Get("scope")})
}

func (s *Server) consentDecision(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if p := checkAuthorize(q); p != "" {
		http.Error(w, p, http.StatusBadRequest)
		return
	}
	r.ParseForm()
	bq := url.Values{}
	if r.PostForm.Get("decision") != "allow" {
		bq.Set("error", "access_denied")
		bq.Set("error_reason", "user_denied")
	} else {
		user := r.PostForm.Get("user")
		if user == "" {
			user = "17841400000000001"
		}
		s.mu.Lock()
		s.next++
		b := binding{User: user, RedirectURI: q.Get("redirect_uri"), Scope: grantedOf(q.Get("scope"), r.PostForm["grant"]), At: s.now().Unix(), Nonce: s.next}
		s.mu.Unlock()
		bq.Set("code", s.sealCode(b))
	}
	consentcode.Back(w, r, q, bq, "#_")
}

func (s *Server) codeKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "instagramtest:" + s.appSecret
}

func (s *Server) sealCode(b binding) string { return consentcode.Seal("AQB.", s.codeKey(), b) }

func (s *Server) openCode(code string) (binding, bool) {
	var b binding
	ok := consentcode.Open("AQB.", s.codeKey(), code, &b)
	return b, ok
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
	b, ok := s.openCode(f.Get("code"))
	sum := sha256.Sum256([]byte(f.Get("code")))
	call := Call{Method: r.Method, Path: r.URL.Path, Endpoint: EndpointRefresh,
		Params: url.Values{"grant_type": {f.Get("grant_type")}, "code_sha256": {hex.EncodeToString(sum[:])}}}
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
