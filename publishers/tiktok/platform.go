package tiktok

import "github.com/heraldhq/herald/publishers"

// Platform describes TikTok for Herald: the publisher built from o, which
// also refreshes tokens (TikTok's client_key dialect, with rotating
// refresh tokens) and revokes them, and TikTok's authorization.removed
// webhooks. consent, if given, says where the connect flow sends users.
func Platform(o Options, consent ...Consent) publishers.Platform {
	p := New(o)
	var c Consent
	if len(consent) > 0 {
		c = consent[0]
	}
	return publishers.Platform{
		Name:      "tiktok",
		Publisher: p,
		// Revoking "disconnects your app from the user's TikTok account"
		// (Revoke a User Access Token): every token of the user ends.
		Tokens:  publishers.Tokens{Refresh: p.RefreshToken, Revoke: p.Revoke, RevokesAll: true},
		Notices: "tiktok",
		Quota:   "per user: 6 video inits a minute and a daily posting cap TikTok does not publish (spam_risk_too_many_posts); unaudited apps reach 5 users a day",
		Doctor: publishers.Check{
			Configured: o.ClientKey != "" && o.ClientSecret != "",
			Settings:   "HERALD_TIKTOK_CLIENT_KEY and HERALD_TIKTOK_CLIENT_SECRET",
			Without:    "their tokens cannot be refreshed or revoked and their posts fail as reauth within a day",
			Severe:     true,
		},
		Authorization: p.authorization(c),
		CreatorInfo:   p.queryCreatorInfo,
		Needs:         needs,
	}
}
