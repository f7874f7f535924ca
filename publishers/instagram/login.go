package instagram

import (
	"strings"

	"golang.org/x/oauth2"
)

// Login is how an account was connected, which decides where its calls go
// and how its token is renewed. Meta's Instagram Platform has two (IG
// Container reference, "Requirements": Host URL per login type):
//
//   - LoginInstagram, Business Login for Instagram: an Instagram User
//     access token; calls go to graph.instagram.com; the long-lived token
//     is renewed with GET graph.instagram.com/refresh_access_token
//     (grant_type=ig_refresh_token).
//   - LoginFacebook, Facebook Login for Business: a Facebook User access
//     token; calls go to graph.facebook.com; the long-lived token is
//     renewed with the fb_exchange_token grant, which needs the Meta app's
//     id and secret.
//
// One deployment can hold accounts of both.
type Login string

// The two logins.
const (
	LoginInstagram Login = "instagram"
	LoginFacebook  Login = "facebook"
)

// LoginExtra is the token extra that records an account's Login: set it
// when handing the Vault a token (tok.WithExtra(map[string]any{"login":
// "instagram"})); the Vault keeps it sealed with the token.
const LoginExtra = "login"

// WithLogin returns t recording that it came from login l.
func WithLogin(t *oauth2.Token, l Login) *oauth2.Token {
	return t.WithExtra(map[string]any{LoginExtra: string(l)})
}

// LoginOf is the login token t came from: the one recorded with it
// (LoginExtra); else the one its form shows (Instagram User tokens begin
// "IG", Facebook User tokens "EAA", as every token Meta issues today
// does); else fallback.
func LoginOf(t *oauth2.Token, fallback Login) Login {
	if t == nil {
		return fallback
	}
	if l, ok := t.Extra(LoginExtra).(string); ok {
		switch Login(l) {
		case LoginInstagram, LoginFacebook:
			return Login(l)
		}
	}
	switch {
	case strings.HasPrefix(t.AccessToken, "IG"):
		return LoginInstagram
	case strings.HasPrefix(t.AccessToken, "EAA"):
		return LoginFacebook
	}
	return fallback
}

// defaultLogin is the login of tokens that say nothing: the one whose host
// BaseURL names (graph.instagram.com: Instagram Login; anything else, the
// default graph.facebook.com or a fake: Facebook Login).
func defaultLogin(base string) Login {
	if strings.Contains(base, "graph.instagram.com") {
		return LoginInstagram
	}
	return LoginFacebook
}

// host is where an account of login l is called.
func (p *Publisher) host(l Login) string {
	if l == LoginInstagram {
		return p.igBase
	}
	return p.base
}
