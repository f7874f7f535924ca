package instagram

import (
	"context"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// Platform describes Instagram for Herald: the publisher built from o,
// the long-lived token renewal RefreshToken does (RefreshMargin ahead of
// expiry), and Meta's deauthorize and data deletion notices. Meta offers
// no revocation of an Instagram token: disconnect deletes it. consent,
// if given, is the Instagram Login app the connect flow uses.
func Platform(o Options, consent ...Consent) publishers.Platform {
	p := New(o)
	var c Consent
	if len(consent) > 0 {
		c = consent[0]
	}
	return publishers.Platform{
		Name:      "instagram",
		Publisher: p,
		Tokens: publishers.Tokens{
			Refresh: func(ctx context.Context, _ *http.Client, t *oauth2.Token) (*oauth2.Token, error) {
				nt, err := p.RefreshToken(ctx, t)
				if publishers.ClassOf(err) == publishers.ClassReauth {
					// The Vault's word for a grant that is gone for good.
					return nil, fmt.Errorf("%w (%v)", &oauth2.RetrieveError{ErrorCode: "invalid_grant"}, err)
				}
				return nt, err
			},
			Skew: RefreshMargin,
		},
		Notices: "meta",
		Quota:   "per account and 24 h: the content_publishing_limit Meta reports (25 to 100 posts) and 400 containers",
		Doctor: publishers.Check{
			Configured: o.AppID != "" && o.AppSecret != "",
			Settings:   "HERALD_META_APP_ID and HERALD_META_APP_SECRET",
			// Instagram Login tokens renew without the app's credentials;
			// only Facebook Login accounts need them.
			Optional: "needed only for accounts of Facebook Login",
		},
		Authorization: p.authorization(c),
		Needs:         needs,
	}
}
