package linkedin

import "github.com/heraldhq/herald/publishers"

// Platform describes LinkedIn for Herald: the publisher built from o and
// the refresh of a.Refresh (when a has a client id). LinkedIn grants refresh tokens to approved
// partner apps only; an account without one keeps its access token (60
// days) until it expires and is then marked for reauthorization (the
// Vault's ReconnectDue warns ahead). LinkedIn has no revoke endpoint that
// Herald calls: disconnect deletes the token, and it sends no disconnect
// notices. consent, if given, says where the connect flow sends members.
func Platform(o Options, a OAuth, consent ...Consent) publishers.Platform {
	var c Consent
	if len(consent) > 0 {
		c = consent[0]
	}
	t := publishers.Tokens{Organization: CheckOrganization}
	if a.ClientID != "" {
		t.Refresh, t.NeedsRefreshToken = a.Refresh, true
	}
	p := New(o)
	return publishers.Platform{
		Name:      "linkedin",
		Publisher: p,
		Tokens:    t,
		Quota:     "per member and per app a day, limits LinkedIn shows in its developer portal; they reset at midnight UTC",
		Doctor: publishers.Check{
			Configured: a.ClientID != "" && a.ClientSecret != "",
			Settings:   "HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET",
			Without:    "their tokens cannot be refreshed and need reconnecting when they expire",
			Review:     reviewVersion(o.Version),
		},
		Authorization: p.authorization(a, c),
		Needs:         needs,
	}
}
