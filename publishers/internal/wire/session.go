package wire

import (
	"context"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// Session is the token of one Publish or Analytics call: the access token
// in use, the one forced refresh the call may make when the platform
// rejects it, and the secrets its error texts must not show. Each
// platform decides which answer means "token rejected"; the Session keeps
// the refresh to once per call.
type Session struct {
	// Token is the access token to send.
	Token     string
	refresh   func(context.Context) (*oauth2.Token, error)
	refreshed bool
	secrets   []string
}

// NewSession starts a session with t; refresh (publishers.Request.ForceRefresh) may
// be nil. A missing token is a Reauth error naming platform.
func NewSession(platform string, t *oauth2.Token, refresh func(context.Context) (*oauth2.Token, error)) (*Session, error) {
	if t == nil || t.AccessToken == "" {
		return nil, publishers.Reauth(fmt.Errorf("%s: no access token", platform))
	}
	s := &Session{Token: t.AccessToken, refresh: refresh}
	s.Hide(t.AccessToken, t.RefreshToken)
	return s, nil
}

// Hide adds secrets (an upload URL, its signed query) to those kept out of
// the session's error texts.
func (s *Session) Hide(secrets ...string) {
	for _, secret := range secrets {
		if secret != "" {
			s.secrets = append(s.secrets, secret)
		}
	}
}

// HideURL hides an upload URL, which is a capability: the whole URL, its
// query (where a signature is) and the values of the named parameters,
// since a server may echo any of them alone.
func (s *Session) HideURL(uploadURL string, params ...string) {
	s.Hide(uploadURL)
	u, err := url.Parse(uploadURL)
	if err != nil {
		return
	}
	if len(u.RawQuery) >= 8 {
		// Shorter, it could be a word of any message.
		s.Hide(u.RawQuery)
	}
	q := u.Query()
	for _, p := range params {
		s.Hide(q[p]...)
	}
}

// Secrets are what Quote and Redact must keep out of the session's error
// texts: every token it held and everything hidden.
func (s *Session) Secrets() []string { return s.secrets }

// CanRefresh reports whether the session still has its forced refresh.
func (s *Session) CanRefresh() bool { return s.refresh != nil && !s.refreshed }

// Refresh spends the session's one forced refresh. With a new token it
// holds (and hides) that token and reports ok: the caller makes its call
// again. err is the refresh's own failure; a refresh that gave no token
// is neither ok nor an error.
func (s *Session) Refresh(ctx context.Context) (ok bool, err error) {
	if !s.CanRefresh() {
		return false, nil
	}
	s.refreshed = true
	t, err := s.refresh(ctx)
	if err != nil || t == nil || t.AccessToken == "" {
		return false, err
	}
	s.Token = t.AccessToken
	s.Hide(t.AccessToken, t.RefreshToken)
	return true, nil
}
