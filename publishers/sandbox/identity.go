package sandbox

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// ClientID is the client id Herald presents to the sandbox's
// authorization server: the sandbox has no app registration.
const ClientID = "herald"

// Authorization is how a sandbox account is connected through Herald:
// the sandbox server's consent page and token endpoint (PKCE S256), and
// GET /v1/me for who connected.
func Authorization(baseURL string, client *http.Client) *publishers.Authorization {
	p := New(baseURL, client)
	return &publishers.Authorization{
		AuthURL:         baseURL + "/oauth/authorize",
		TokenURL:        baseURL + "/oauth/token",
		AuthStyle:       oauth2.AuthStyleInParams,
		ClientID:        ClientID,
		PublishScopes:   []string{"publish"},
		AnalyticsScopes: []string{"analytics"},
		PKCE:            true,
		Identify:        p.identify,
	}
}

// identify reads the user a token belongs to.
func (p *Publisher) identify(ctx context.Context, _ *http.Client, tok *oauth2.Token) (publishers.Identity, error) {
	var me struct {
		ID string `json:"id"`
	}
	if err := p.call(ctx, "identify", http.MethodGet, "/v1/me", tok.AccessToken, nil, &me); err != nil {
		return publishers.Identity{}, err
	}
	return publishers.Identity{PlatformUserID: me.ID}, nil
}
