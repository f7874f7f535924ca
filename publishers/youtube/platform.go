package youtube

import (
	"cmp"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// DefaultTokenURL is Google's token endpoint.
const DefaultTokenURL = "https://oauth2.googleapis.com/token"

// Credentials is the Google OAuth client the YouTube accounts consented
// to: without its id and secret their tokens cannot be refreshed.
type Credentials struct {
	ClientID, ClientSecret string
	// TokenURL and RevokeURL default to Google's (DefaultTokenURL,
	// DefaultRevokeURL); tests give a fake's.
	TokenURL, RevokeURL string
	// AuthURL is Google's consent page for the connect flow (default
	// DefaultAuthURL).
	AuthURL string
}

// Platform describes YouTube for Herald: the publisher built from o,
// Google's refresh_token grant (client credentials in the form, set
// explicitly so x/oauth2 does not probe) and revocation, and Google's
// Cross-Account Protection notices.
func Platform(o Options, c Credentials) publishers.Platform {
	// Google's revoke ends the user's authorization of the client, every
	// token of it (OAuth 2.0 for Web Server Applications, "Revoking a
	// token": the app is removed from the user's third-party access).
	t := publishers.Tokens{Revoke: Revoke(cmp.Or(c.RevokeURL, DefaultRevokeURL)), RevokesAll: true}
	if c.ClientID != "" {
		t.OAuth = &oauth2.Config{
			ClientID:     c.ClientID,
			ClientSecret: c.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: cmp.Or(c.TokenURL, DefaultTokenURL), AuthStyle: oauth2.AuthStyleInParams},
		}
	}
	return publishers.Platform{
		Name:      "youtube",
		Publisher: New(o),
		Tokens:    t,
		Notices:   "google",
		Quota: "per Google project and day: videos.insert calls (HERALD_YOUTUBE_UPLOADS_PER_DAY) and units for other calls, reset at midnight Pacific time. " +
			"A project created after 28 July 2020 that has not passed Google's API audit (YouTube API Services compliance audit form) has every upload locked private whatever the post asks; " +
			"Herald publishes such posts with the warning \"" + UnauditedWarning + "\"",
		Doctor: publishers.Check{
			Configured: c.ClientID != "" && c.ClientSecret != "",
			Settings:   "HERALD_GOOGLE_CLIENT_ID and HERALD_GOOGLE_CLIENT_SECRET",
			Without:    "their tokens cannot be refreshed and their posts fail as reauth within the hour",
			Severe:     true,
		},
		Authorization: authorization(c, o.Endpoint),
		Needs:         needs,
	}
}
