package youtube

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// auth is the token of one attempt, refreshed at most once when YouTube
// answers 401: x/oauth2 refreshes only on expiry, and a token revoked or
// rotated early still looks fresh to it. The session also keeps every
// token seen, and the upload session once there is one, out of error
// texts.
type auth struct{ *wire.Session }

func newAuth(tok *oauth2.Token, refresh func(context.Context) (*oauth2.Token, error)) (*auth, error) {
	s, err := wire.NewSession("youtube", tok, refresh)
	if err != nil {
		return nil, err
	}
	return &auth{s}, nil
}

// token is the access token in use, for the official client.
func (a *auth) token() *oauth2.Token { return &oauth2.Token{AccessToken: a.Token, TokenType: "Bearer"} }

// authorize sets the request's Authorization header.
func (a *auth) authorize(r *http.Request) { r.Header.Set("Authorization", "Bearer "+a.Token) }

// retry refreshes the token after a 401, once per attempt. It reports
// false when there is nothing left to try: the caller then gives up with
// Reauth.
func (a *auth) retry(ctx context.Context, step string) (bool, error) {
	if !a.CanRefresh() {
		return false, nil
	}
	ok, err := a.Refresh(ctx)
	if err != nil {
		return false, refreshError(step, err)
	}
	if !ok {
		return false, publishers.Reauth(errors.New("youtube: " + step + ": refresh gave no access token"))
	}
	return true, nil
}

// unauthorized says YouTube rejected the token.
func unauthorized(err error) bool {
	var g *googleapi.Error
	if errors.As(err, &g) {
		return g.Code == http.StatusUnauthorized
	}
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusUnauthorized
}

// service is the official client for one token.
func (p *Publisher) service(ctx context.Context, a *auth) (*youtube.Service, error) {
	hc := &http.Client{
		Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(a.token()), Base: p.client.Transport},
		Jar:       p.client.Jar,
	}
	return youtube.NewService(ctx, option.WithEndpoint(p.endpoint), option.WithHTTPClient(hc))
}

// call runs one call of the official client with a timeout, again after a
// forced refresh if YouTube answers 401, and classifies its failure.
func (p *Publisher) call(ctx context.Context, a *auth, step string, do func(ctx context.Context, svc *youtube.Service) error) error {
	for {
		svc, err := p.service(ctx, a)
		if err != nil {
			return publishers.Transient(err)
		}
		cctx, cancel := context.WithTimeout(ctx, p.callTimeout)
		err = do(cctx, svc)
		cancel()
		if err == nil {
			return nil
		}
		if unauthorized(err) {
			again, rerr := a.retry(ctx, step)
			if rerr != nil {
				return rerr
			}
			if again {
				continue
			}
		}
		var classified *publishers.Error
		if errors.As(err, &classified) {
			return err
		}
		return p.fromGoogle(ctx, step, err, a.Secrets())
	}
}
