package youtubetest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Scope is the scope the token endpoint grants.
const Scope = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/youtube"

// AccessTokenLifetime is the expires_in of issued access tokens, in
// seconds, as Google's.
const AccessTokenLifetime = 3599

type account struct {
	id          string
	channel     string
	subscribers uint64
	views       uint64
	playlists   map[string]bool
	// uploadsToday counts the channel's videos since the last
	// ResetQuota, for SetChannelUploadLimit.
	uploadsToday int
}

// grant is one authorization: a refresh token and the access tokens made
// from it. Revoking either revokes the grant, as Google does.
type grant struct {
	account string
	refresh string
	access  []string
	revoked bool
	// scopes are the granted scopes, space-separated; "" means Scope.
	scopes string
}

// Account is an account as the fake knows it.
type Account struct {
	ID string
	// ChannelID is the account's channel ("UC" and 22 characters).
	ChannelID string
}

// Token is a pair of tokens issued for an account.
type Token struct {
	AccessToken  string
	RefreshToken string
}

// AddAccount makes an account with its own channel, or returns the
// existing one.
func (s *Server) AddAccount(id string) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAccountLocked(id)
}

func (s *Server) addAccountLocked(id string) Account {
	a, ok := s.accounts[id]
	if !ok {
		a = &account{id: id, channel: "UC" + randomID(22), playlists: map[string]bool{}}
		s.accounts[id] = a
	}
	return Account{ID: a.id, ChannelID: a.channel}
}

// IssueToken grants the account (made if needed) a new refresh token and
// an access token, as the end of an OAuth consent would. The grant
// carries scopes (space-separated URLs, in one or more arguments), or
// Scope when none are named: a test that wants a narrower or a wider
// grant than Herald's default consent issues the token so, as a user
// would consent to it.
func (s *Server) IssueToken(accountID string, scopes ...string) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(accountID)
	g := &grant{account: accountID, refresh: "1//" + randomID(40), scopes: strings.Join(strings.Fields(strings.Join(scopes, " ")), " ")}
	s.refresh[g.refresh] = g
	return Token{AccessToken: s.newAccessLocked(g), RefreshToken: g.refresh}
}

// IssueCode returns an authorization code that the token endpoint
// exchanges (grant_type=authorization_code) for a new grant of the
// account, once.
func (s *Server) IssueCode(accountID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(accountID)
	code := "4/" + randomID(30)
	s.codes[code] = accountID
	return code
}

func (s *Server) newAccessLocked(g *grant) string {
	t := "ya29." + randomID(60)
	g.access = append(g.access, t)
	s.access[t] = g
	return t
}

// RevokeRefreshToken revokes the grant of a refresh token: refreshing it
// answers invalid_grant and its access tokens stop working, as when a
// user removes the app's access.
func (s *Server) RevokeRefreshToken(refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.refresh[refresh]; ok {
		g.revoked = true
	}
}

// ExpireAccessToken makes one access token answer 401 while its refresh
// token still works, as an expired or rotated access token does.
func (s *Server) ExpireAccessToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.access, access)
}

// TokenCalls counts the calls of the token endpoint, failed ones too.
func (s *Server) TokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenHits
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func oauthFail(status int, code, desc string) reply {
	return reply{status: status, body: oauthError{Error: code, Description: desc}}
}

// token is Google's token endpoint: refresh_token and authorization_code
// grants, client authentication in the form or with HTTP Basic.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	call := Call{Op: OpToken, Method: r.Method, Path: r.URL.Path}
	s.mu.Lock()
	s.tokenHits++
	s.mu.Unlock()
	var rep reply
	if err := s.wait(r.Context()); err != nil {
		call.Status = statusClientClosed
		s.record(call)
		return
	}
	if f, ok := s.fault(OpToken); ok {
		reason := f.Reason
		if reason == "" {
			reason = "internal_failure"
		}
		rep = oauthFail(f.status(), reason, f.Message)
	} else {
		rep = s.serveToken(r, &call)
	}
	call.Status = rep.status
	s.record(call)
	w.Header().Set("Cache-Control", "no-store")
	writeReply(w, rep)
}

func (s *Server) serveToken(r *http.Request, call *Call) reply {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return oauthFail(http.StatusBadRequest, "invalid_request", "body is not a form")
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		return oauthFail(http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		g, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if !ok || g.revoked {
			return oauthFail(http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
		}
		call.Account = g.account
		return reply{status: http.StatusOK, body: tokenAnswer{
			AccessToken: s.newAccessLocked(g), ExpiresIn: AccessTokenLifetime, TokenType: "Bearer", Scope: g.scopeList(),
		}}
	case "authorization_code":
		acct, ok := s.codes[r.PostForm.Get("code")]
		if !ok {
			return oauthFail(http.StatusBadRequest, "invalid_grant", "Malformed auth code.")
		}
		delete(s.codes, r.PostForm.Get("code"))
		call.Account = acct
		g := &grant{account: acct, refresh: "1//" + randomID(40)}
		s.refresh[g.refresh] = g
		return reply{status: http.StatusOK, body: tokenAnswer{
			AccessToken: s.newAccessLocked(g), ExpiresIn: AccessTokenLifetime, TokenType: "Bearer", Scope: Scope,
			RefreshToken: g.refresh,
		}}
	case "":
		return oauthFail(http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type")
	default:
		return oauthFail(http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
	}
}

// revoke is Google's revoke endpoint: the token, access or refresh, comes
// in the query or the form. Revoking either ends the user's authorization
// of the client, every grant of the account, as Google removes the app
// from the user's third-party access ("Revoking a token").
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	call := Call{Op: OpRevoke, Method: r.Method, Path: r.URL.Path}
	var rep reply
	if f, ok := s.fault(OpRevoke); ok {
		rep = oauthFail(f.status(), "internal_failure", f.Message)
	} else {
		r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
		r.ParseForm()
		rep = s.revokeToken(strings.TrimSpace(r.Form.Get("token")), &call)
	}
	call.Status = rep.status
	s.record(call)
	writeReply(w, rep)
}

func (s *Server) revokeToken(token string, call *Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[token]
	if !ok {
		g, ok = s.access[token]
	}
	if !ok || g.revoked {
		return oauthFail(http.StatusBadRequest, "invalid_token", "Token expired or revoked")
	}
	for _, other := range s.refresh {
		if other.account == g.account {
			other.revoked = true
		}
	}
	g.revoked = true
	call.Account = g.account
	return reply{status: http.StatusOK, body: json.RawMessage("{}")}
}
