package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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
// now, by the grant of the login it came from (LoginOf): a Facebook Login
// token with the fb_exchange_token grant on the Graph base URL (token and
// Options.AppID and AppSecret in the form body; without them the refresh
// is Permanent, the account untouched); an Instagram Login token with
// ig_refresh_token on the refresh base URL, with access_token as a query
// parameter, where Meta's
// "Refresh a long-lived token" documents it (GET
// graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=...)
// and every public client sends it. That URL never reaches an error or a
// log: *url.Error's URL is dropped and the metrics never read queries.
//
// A refusal is Reauth only when the token itself is dead (code 190 with a
// dead-token subcode or message, or a permission withdrawn: 10, 200-299):
// a request Instagram found malformed (no token seen, a bad grant, a wrong
// app secret) is the deployment's problem, and marking every account for
// reconnection would hide it; those are Permanent.
func (p *Publisher) RefreshToken(ctx context.Context, t *oauth2.Token) (*oauth2.Token, error) {
	s, err := p.newSession(t, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	switch {
	case s.login == LoginFacebook && (p.appID == "" || p.appSecret == ""):
		// Not the account's fault: the deployment lacks the app's
		// credentials, and the token lives on until it expires.
		return nil, publishers.Permanent(errors.New("instagram: refresh token: a Facebook Login token is renewed with the Meta app's id and secret (HERALD_META_APP_ID, HERALD_META_APP_SECRET), which are not set"))
	case s.login == LoginFacebook:
		// The app secret travels in the form: an answer echoing it
		// must not carry it into an error.
		s.Hide(p.appSecret)
		form := url.Values{
			"grant_type": {"fb_exchange_token"}, "client_id": {p.appID},
			"client_secret": {p.appSecret}, "fb_exchange_token": {s.Token},
		}
		_, err = p.graphOnce(ctx, s, p.base+"/"+p.version+"/oauth/access_token", "refresh token", http.MethodPost, form, &out)
	default:
		err = p.refreshIG(ctx, s, &out)
	}
	if e := graphError(err); e != nil {
		if deadToken(e) {
			return nil, publishers.Reauth(err)
		}
		if publishers.ClassOf(err) == publishers.ClassReauth {
			// classify calls every 190 reauth; on a refresh a 190
			// that is not about a dead token means the request was
			// malformed.
			return nil, publishers.Permanent(fmt.Errorf("instagram: refresh token: Instagram did not accept the request (not a dead token: the account stays connected): %w", e))
		}
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
	// The renewed token keeps its account's login.
	return WithLogin(nt, s.login), nil
}

// refreshIG makes Instagram Login's refresh call: GET with grant_type and
// access_token in the query, no Authorization header (the documented
// form; the fake refuses the token anywhere else).
func (p *Publisher) refreshIG(ctx context.Context, s *session, out any) error {
	q := url.Values{"grant_type": {"ig_refresh_token"}, "access_token": {s.Token}}
	s.Hide(url.QueryEscape(s.Token), q.Encode())
	bare := *s.Session
	bare.Token = "" // no Authorization header: the token is in the query
	_, err := p.graphOnce(ctx, &session{Session: &bare}, p.refreshBase+"/refresh_access_token?"+q.Encode(), "refresh token", http.MethodGet, nil, out)
	return err
}

// Dead-token answers: code 190 with subcodes 458 (app removed), 459
// (checkpointed), 460 (password changed), 463 (expired), 464 (unconfirmed
// user), 467 (invalid); Access Token errors in Meta's Graph API Handling
// Errors guide. A 190 without a subcode is dead too unless its message
// says no token was found in the request.
var (
	deadSubcodes = map[int]bool{458: true, 459: true, 460: true, 463: true, 464: true, 467: true}
	tokenMissing = regexp.MustCompile(`(?i)active access token must be used|must (provide|use) an? (app |user )?access token|missing.{0,20}access[_ ]token|no access token`)
)

// deadToken says whether e refuses the token itself.
func deadToken(e *APIError) bool {
	switch {
	case e.Code == codeInvalidToken && deadSubcodes[e.Subcode]:
		return true
	case e.Code == codeInvalidToken:
		return e.Subcode == 0 && !tokenMissing.MatchString(e.Message)
	case e.Code == 10 || (e.Code >= 200 && e.Code <= 299):
		return true
	}
	return false
}
