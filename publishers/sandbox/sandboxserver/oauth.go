package sandboxserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The sandbox's OAuth 2.0 authorization server, so Herald's connect flow
// runs end to end without a real platform. It follows RFC 6749 and
// requires PKCE S256 (RFC 7636), as OAuth 2.1 does:
//
//	GET  /oauth/authorize  an HTML consent page (Allow / Deny)
//	POST /oauth/authorize  decision=allow|deny (same URL, so a script can
//	                       drive it): 303 to redirect_uri with code or
//	                       error=access_denied, and state
//	POST /oauth/token      grant_type=authorization_code -> {"access_token",
//	                       "token_type","scope"}; the tokens never expire
//	GET  /v1/me            {"id","username"} of a token it issued

// grant is an authorization code waiting for its exchange.
type grant struct {
	clientID, redirectURI, challenge, user string
	scopes                                 []string
	expires                                time.Time
}

// codeTTL is how long a code may wait for its exchange (RFC 6749 §4.1.2
// recommends at most 10 minutes).
const codeTTL = 10 * time.Minute

var userPattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// authRequest is an authorize request's parameters.
type authRequest struct {
	ClientID, RedirectURI, State, Challenge, User string
	Scopes                                        []string
	Query                                         string
}

// parseAuthorize checks an authorize request. A bad one is answered
// here, never redirected: RFC 6749 §4.1.2.1 forbids redirecting to a
// redirect_uri that could not be checked.
func parseAuthorize(r *http.Request) (authRequest, string) {
	q := r.URL.Query()
	a := authRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Challenge: q.Get("code_challenge"), Scopes: strings.Fields(q.Get("scope")), Query: r.URL.RawQuery,
	}
	u, err := url.Parse(a.RedirectURI)
	switch {
	case q.Get("response_type") != "code":
		return a, "response_type must be code"
	case a.ClientID == "":
		return a, "client_id is required"
	case err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "":
		return a, "redirect_uri must be an absolute http(s) URL without fragment"
	case a.Challenge == "" || q.Get("code_challenge_method") != "S256":
		return a, "PKCE is required: code_challenge with code_challenge_method=S256"
	case a.State == "":
		return a, "state is required"
	case len(a.Scopes) == 0:
		return a, "scope is required"
	}
	return a, ""
}

// consentPage's form has no action: a form without one posts to the
// page's own URL, query included, so Allow reaches POST /oauth/authorize
// with the authorize request's parameters.
var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox: allow access?</title></head>
<body><h1>Allow {{.ClientID}} to use your sandbox account?</h1>
<form method="post">
<p><label>Sandbox user <input name="user" value="sandbox-user" pattern="[a-z0-9_-]{1,32}"></label></p>
{{range .Scopes}}<p><label><input type="checkbox" name="grant" value="{{.}}" checked> {{.}}</label></p>
{{end}}<p><button name="decision" value="allow" id="allow">Allow</button>
<button name="decision" value="deny" id="deny">Deny</button></p>
</form></body></html>
`))

func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	a, problem := parseAuthorize(r)
	if problem != "" {
		http.Error(w, "sandbox: bad authorize request: "+problem, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = consentPage.Execute(w, a)
}

// authorizeDecision is the consent form's answer. Without grant fields
// (a script posting decision=allow only) every asked scope is granted;
// with them, only those asked and ticked.
func (s *Server) authorizeDecision(w http.ResponseWriter, r *http.Request) {
	a, problem := parseAuthorize(r)
	if problem == "" && r.ParseForm() != nil {
		problem = "unreadable form"
	}
	user := r.PostForm.Get("user")
	if user == "" {
		user = "sandbox-user"
	}
	if problem == "" && !userPattern.MatchString(user) {
		problem = "user must be 1 to 32 of a-z 0-9 _ -"
	}
	if problem != "" {
		http.Error(w, "sandbox: bad authorize request: "+problem, http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(a.RedirectURI)
	q := back.Query()
	q.Set("state", a.State)
	if r.PostForm.Get("decision") != "allow" {
		q.Set("error", "access_denied")
	} else {
		scopes := a.Scopes
		if ticked, ok := r.PostForm["grant"]; ok {
			scopes = slices.DeleteFunc(slices.Clone(a.Scopes), func(s string) bool { return !slices.Contains(ticked, s) })
		}
		code := secret("sbc_")
		s.mu.Lock()
		s.codes[code] = &grant{clientID: a.ClientID, redirectURI: a.RedirectURI, challenge: a.Challenge, user: user, scopes: scopes, expires: time.Now().Add(codeTTL)}
		s.mu.Unlock()
		q.Set("code", code)
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

// token exchanges a code (RFC 6749 §4.1.3): single use, for the client
// and redirect_uri it was issued to, with the PKCE verifier whose S256
// is the challenge (RFC 7636 §4.6).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	s.record(Call{Method: r.Method, Path: r.URL.Path, At: time.Now()})
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, "unsupported_grant_type", "only authorization_code")
		return
	}
	s.mu.Lock()
	g, ok := s.codes[f.Get("code")]
	delete(s.codes, f.Get("code")) // single use, even when the rest is wrong (RFC 6749 §4.1.2)
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	switch {
	case !ok || time.Now().After(g.expires):
		oauthError(w, "invalid_grant", "unknown, used or expired code")
		return
	case g.clientID != f.Get("client_id") || g.redirectURI != f.Get("redirect_uri"):
		oauthError(w, "invalid_grant", "code issued to another client or redirect_uri")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		oauthError(w, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}
	at := secret("sbx_")
	s.mu.Lock()
	s.users[at] = g.user
	s.scopes[at] = g.scopes
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"access_token": at, "token_type": "Bearer", "scope": strings.Join(g.scopes, " ")})
}

// me answers who a token belongs to; it knows only tokens it issued.
func (s *Server) me(r *http.Request, _ []byte) reply {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	user, ok := s.users[tok]
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusUnauthorized, "invalid_token", "the token was not issued by /oauth/token")
	}
	return reply{status: http.StatusOK, body: map[string]string{"id": "u_" + user, "username": user}}
}

func oauthError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func secret(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
