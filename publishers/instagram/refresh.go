package instagram

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// RefreshMargin is how long before expiry a long-lived token should be
// refreshed: they last 60 days, can be refreshed once a day old, and die
// for good when they expire.
const RefreshMargin = 20 * 24 * time.Hour

// RefreshDue says whether t should be refreshed now: it expires within
// RefreshMargin. A token without an expiry is never due.
func RefreshDue(t *oauth2.Token, now time.Time) bool {
	return t != nil && !t.Expiry.IsZero() && t.Expiry.Sub(now) < RefreshMargin
}

// RefreshToken exchanges a long-lived token for a new one, 60 days from
// now. With Options.AppID and AppSecret it uses Facebook Login's
// fb_exchange_token grant on the Graph base URL; otherwise Instagram
// Login's ig_refresh_token on the refresh base URL. The token travels in
// the Authorization header or the form body, never in a URL. A token
// Instagram rejects is Reauth: the account must be connected again.
func (p *Publisher) RefreshToken(ctx context.Context, t *oauth2.Token) (*oauth2.Token, error) {
	s, err := newSession(t, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if p.appID != "" && p.appSecret != "" {
		// The app secret travels in the form: an answer echoing it
		// must not carry it into an error.
		s.Hide(p.appSecret)
		form := url.Values{
			"grant_type": {"fb_exchange_token"}, "client_id": {p.appID},
			"client_secret": {p.appSecret}, "fb_exchange_token": {s.Token},
		}
		_, err = p.graphOnce(ctx, s, p.base+"/"+p.version+"/oauth/access_token", "refresh token", http.MethodPost, form, &out)
	} else {
		_, err = p.graphOnce(ctx, s, p.refreshBase+"/refresh_access_token", "refresh token", http.MethodGet, url.Values{"grant_type": {"ig_refresh_token"}}, &out)
	}
	if e := graphError(err); e != nil && publishers.ClassOf(err) == publishers.ClassPermanent {
		// A refresh Instagram refuses (expired, too young, revoked)
		// will not work on a retry either; the account must connect.
		return nil, publishers.Reauth(err)
	}
	if err != nil {
		return nil, err
	}
	if out.AccessToken == "" {
		return nil, publishers.Transient(errors.New("instagram: refresh token: answer has no access token"))
	}
	nt := &oauth2.Token{AccessToken: out.AccessToken, TokenType: "Bearer"}
	if out.ExpiresIn > 0 {
		nt.Expiry = p.now().Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return nt, nil
}
