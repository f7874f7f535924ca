package linkedintest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// LinkedIn's Authorization Code Flow and OpenID userinfo, for the
// connect flow:
//
//	GET  /oauth/v2/authorization  the consent page (Allow / Deny)
//	POST /oauth/v2/authorization  decision=allow|deny, member=<the
//	                              member's id, default "consentMember1">:
//	                              303 to redirect_uri with code and
//	                              state, or error=user_cancelled_authorize
//	POST /oauth/v2/accessToken    grant_type=authorization_code (code,
//	                              redirect_uri, client_id, client_secret)
//	                              -> access_token, expires_in, scope
//	                              (comma-separated, as LinkedIn answers)
//	GET  /v2/userinfo             {"sub", "name"} of a token it issued
//
// A code carries its member, redirect_uri, scopes and time, sealed with
// the client secret; the call log remembers which were exchanged, so
// each works once, within 30 minutes (LinkedIn: "The authorization code
// is only valid for 30 minutes").

// AuthPath is the consent page's path.
const AuthPath = "/oauth/v2/authorization"

// AuthURL is the consent page, for linkedin.Consent.AuthURL.
func (s *Server) AuthURL() string { return s.ts.URL + AuthPath }

// consentToken prefixes the access tokens a consent issues; userinfo
// knows only those.
const consentToken = "AQX.consent."

type binding struct {
	Member      string `json:"m"`
	RedirectURI string `json:"u"`
	Scope       string `json:"s"`
	At          int64  `json:"t"`
	Nonce       string `json:"n"`
}

// checkAuthorize refuses what LinkedIn refuses before consent ("Step 2:
// Request an Authorization Code"): response_type other than code, an
// unknown client_id (when SetClient set one), no scope, a redirect_uri
// that is not absolute (https; http let through on loopback for tests).
func (s *Server) checkAuthorize(q url.Values) string {
	s.mu.Lock()
	id := s.clientID
	s.mu.Unlock()
	return map[string]string{
		"response_type": "response_type must be code", "client_id": "invalid client_id",
		"scope": "scope is required", "redirect_uri": "invalid redirect_uri",
	}[fakeconsent.Problem(q, "client_id", id)]
}

// consentPage is the consent: a member who cancels comes back with
// LinkedIn's words for it, user_cancelled_authorize ("Step 2: Request
// an Authorization Code", "Failed Requests"). LinkedIn's consent screen
// grants all the scopes asked or none.
func (s *Server) consentPage() *fakeconsent.Consent {
	return &fakeconsent.Consent{
		Page: fakeconsent.Page{Title: "LinkedIn (fake): sign in", Heading: "This app would like to access your LinkedIn account",
			Field: "member", Label: "Member", Default: "consentMember1", Deny: "Cancel"},
		Check:  s.checkAuthorize,
		Denied: url.Values{"error": {"user_cancelled_authorize"}, "error_description": {"The user cancelled the authorization"}},
		Allow: func(q, _ url.Values, member string) url.Values {
			s.mu.Lock()
			b := binding{Member: member, RedirectURI: q.Get("redirect_uri"), Scope: q.Get("scope"), At: s.now().Unix(), Nonce: fmt.Sprint(s.id())}
			s.mu.Unlock()
			return url.Values{"code": {s.codes().Seal(b)}}
		},
	}
}

func (s *Server) codes() fakeconsent.Codes {
	return fakeconsent.Codes{Prefix: "AQT.", Key: func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return "linkedintest:" + s.secret
	}}
}

// tokenOrCode is POST /oauth/v2/accessToken: the authorization_code
// grant here, refresh_token in oauth.
func (s *Server) tokenOrCode() http.Handler {
	refresh := s.oauth()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" {
			refresh.ServeHTTP(w, r)
			return
		}
		write(w, s.exchangeCode(r.PostForm))
	})
}

func (s *Server) exchangeCode(f url.Values) reply {
	fail := func(status int, code, desc string) reply {
		return reply{status: status, body: map[string]any{"error": code, "error_description": desc}}
	}
	var b binding
	ok := s.codes().Open(f.Get("code"), &b)
	call := Call{Method: http.MethodPost, Path: "/oauth/v2/accessToken", Endpoint: EndpointToken,
		Query: url.Values{"grant_type": {"authorization_code"}, "code_sha256": {fakeconsent.Hash(f.Get("code"))}}}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := func() reply {
		switch {
		case (s.clientID != "" && f.Get("client_id") != s.clientID) || (s.secret != "" && f.Get("client_secret") != s.secret):
			return fail(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		case !ok || s.now().Sub(time.Unix(b.At, 0)) > 30*time.Minute:
			return fail(http.StatusBadRequest, "invalid_request", "Unable to retrieve access token: authorization code not found or expired")
		case f.Get("redirect_uri") != b.RedirectURI:
			return fail(http.StatusBadRequest, "invalid_redirect_uri", "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code")
		case s.exchangedLocked(call.Query.Get("code_sha256")):
			return fail(http.StatusBadRequest, "invalid_request", "Unable to retrieve access token: authorization code not found or expired")
		}
		// The token carries the scopes of the consent, no more: each
		// call checks its own (scopes.go). LinkedIn's consent screen
		// grants all the scopes asked or none.
		at := fmt.Sprintf("%s%s.%d", consentToken, b.Member, s.id())
		s.grantLocked(at, strings.Fields(b.Scope))
		return reply{status: http.StatusOK, body: map[string]any{
			"access_token": at, "expires_in": TokenLife,
			"scope": strings.Join(strings.Fields(b.Scope), ","),
		}}
	}()
	// Recorded under s.mu, with the check: two exchanges of one code
	// cannot both pass.
	call.Status, call.At = rep.status, s.now()
	s.calls.Add(call)
	return rep
}

// exchangedLocked says the call log holds a successful exchange of the
// code whose hash is sum.
func (s *Server) exchangedLocked(sum string) bool {
	for _, c := range s.calls.All() {
		if c.Endpoint == EndpointToken && c.Status == http.StatusOK && c.Query.Get("code_sha256") == sum {
			return true
		}
	}
	return false
}

// userinfo is OpenID Connect's userinfo for tokens a consent issued.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, _ := tokenOf(r)
	member, ok := strings.CutPrefix(tok, consentToken)
	if i := strings.LastIndex(member, "."); ok && i > 0 {
		write(w, reply{status: http.StatusOK, body: map[string]any{"sub": member[:i], "name": member[:i], "email_verified": true}})
		return
	}
	write(w, reply{status: http.StatusUnauthorized, body: map[string]any{"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}})
}
