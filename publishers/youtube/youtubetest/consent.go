package youtubetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// Google's consent for the connect flow, as "Using OAuth 2.0 for Web
// Server Applications" describes it:
//
//	GET  /o/oauth2/v2/auth  the consent page (Allow / Deny)
//	POST /o/oauth2/v2/auth  decision=allow|deny, account=<Google account
//	                        id, default "consent-user">, grant=<a scope
//	                        the user keeps> (repeated; none: all): 303 to
//	                        redirect_uri with code or error=access_denied
//	POST /token             grant_type=authorization_code now also takes
//	                        the codes this page issues, checks their
//	                        redirect_uri and PKCE verifier, and answers an
//	                        id token (when openid was asked) whose sub is
//	                        the account id
//
// A consent code wraps a code of IssueCode with what it is bound to
// (redirect_uri, code challenge, scopes), signed with the client secret,
// so the exchange stays single use through IssueCode's.

// AuthPath is the consent page's path; AuthURL is its URL.
const AuthPath = "/o/oauth2/v2/auth"

// AuthURL is the consent page, for youtube.Credentials.AuthURL.
func (s *Server) AuthURL() string { return s.base + AuthPath }

// Issuer is the iss of the id tokens the fake signs: Google's.
const Issuer = "https://accounts.google.com"

type binding struct {
	Inner       string `json:"c"`
	RedirectURI string `json:"r"`
	Challenge   string `json:"p,omitempty"`
	Scope       string `json:"s"`
}

// checkAuthorize refuses what Google refuses before showing consent
// (the "Error: invalid_request"/"redirect_uri_mismatch" pages, never a
// redirect): an unknown client, a response_type other than code, a
// redirect_uri that is not absolute, a PKCE method other than S256 or
// plain, no scope.
func checkAuthorize(q url.Values) string {
	u, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != ClientID:
		return "invalid_client: The OAuth client was not found."
	case q.Get("response_type") != "code":
		return "unsupported_response_type"
	case err != nil || !u.IsAbs() || u.Fragment != "":
		return "redirect_uri_mismatch"
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" && q.Get("code_challenge_method") != "plain":
		return "invalid_request: Invalid code_challenge_method"
	case strings.TrimSpace(q.Get("scope")) == "":
		return "invalid_request: Missing required parameter: scope"
	}
	return ""
}

// consentPage is the consent: a refusal is error=access_denied (OAuth
// 2.0 for Web Server Applications, "Step 5: Handle the OAuth 2.0
// server response").
func (s *Server) consentPage() *fakeconsent.Consent {
	return &fakeconsent.Consent{
		Page: fakeconsent.Page{Title: "Sign in - Google Accounts (fake)", Heading: "Allow this app to access your Google Account?",
			Field: "account", Label: "Account", Default: "consent-user", Deny: "Deny"},
		Check:   checkAuthorize,
		Refused: "Error 400: ",
		Denied:  url.Values{"error": {"access_denied"}},
		Allow: func(q, form url.Values, account string) url.Values {
			challenge := q.Get("code_challenge")
			if challenge != "" && q.Get("code_challenge_method") == "plain" {
				sum := sha256.Sum256([]byte(challenge))
				challenge = base64.RawURLEncoding.EncodeToString(sum[:])
			}
			return url.Values{"code": {sealCode(binding{Inner: s.IssueCode(account), RedirectURI: q.Get("redirect_uri"), Challenge: challenge, Scope: grantedOf(q.Get("scope"), form["grant"])})}}
		},
	}
}

// codes seal the consent codes with the client secret.
var codes = fakeconsent.Codes{Prefix: "4/c.", Key: func() string { return ClientSecret }}

func sealCode(b binding) string { return codes.Seal(b) }

func openCode(code string) (binding, bool) {
	var b binding
	ok := codes.Open(code, &b)
	return b, ok
}

// tokenOrConsent is POST /token: a consent code is checked against what
// it is bound to (RFC 6749 §4.1.3: redirect_uri identical; RFC 7636
// §4.6: S256 of code_verifier equals the challenge) and exchanged as
// IssueCode's; everything else goes to token as before.
func (s *Server) tokenOrConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" || !strings.HasPrefix(r.PostForm.Get("code"), "4/c.") {
		s.token(w, r)
		return
	}
	b, ok := openCode(r.PostForm.Get("code"))
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok:
		writeReply(w, oauthFail(http.StatusBadRequest, "invalid_grant", "Malformed auth code."))
		return
	case r.PostForm.Get("redirect_uri") != b.RedirectURI:
		writeReply(w, oauthFail(http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request"))
		return
	case b.Challenge != "" && base64.RawURLEncoding.EncodeToString(sum[:]) != b.Challenge:
		writeReply(w, oauthFail(http.StatusBadRequest, "invalid_grant", "Invalid code verifier."))
		return
	}
	r.PostForm.Set("code", b.Inner)
	rec := httptest.NewRecorder()
	s.token(rec, r)
	if rec.Code != http.StatusOK {
		copyResponse(w, rec)
		return
	}
	var ans map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &ans) != nil {
		copyResponse(w, rec)
		return
	}
	ans["scope"] = b.Scope
	s.mu.Lock()
	acct := s.codeAccount(ans)
	if at, _ := ans["access_token"].(string); s.access[at] != nil {
		// The token carries what the consent granted, no more, as
		// Google's does; its refreshes too (scopes.go).
		s.access[at].scopes = b.Scope
	}
	s.mu.Unlock()
	if strings.Contains(" "+b.Scope+" ", " openid ") {
		ans["id_token"] = s.idToken(acct)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeReply(w, reply{status: http.StatusOK, body: ans})
}

// codeAccount is the account whose access token ans carries.
func (s *Server) codeAccount(ans map[string]any) string {
	at, _ := ans["access_token"].(string)
	if g, ok := s.access[at]; ok {
		return g.account
	}
	return ""
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = bytes.NewReader(rec.Body.Bytes()).WriteTo(w)
}
