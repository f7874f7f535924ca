package sandbox

import (
	"net/http"

	"github.com/heraldhq/herald/publishers"
)

// Platform describes the sandbox for Herald. Its tokens never expire and
// it has nothing to revoke. With baseURL empty the platform is known (its
// accounts can be connected) but has no publisher: workers then cannot
// publish its posts, which doctor reports.
func Platform(baseURL string, client *http.Client) publishers.Platform {
	p := publishers.Platform{
		Name: "sandbox",
		Doctor: publishers.Check{
			Configured: baseURL != "",
			Settings:   "HERALD_SANDBOX_URL",
			Without:    "workers do not register the sandbox publisher and their posts cannot publish",
			Severe:     true,
		},
	}
	if baseURL != "" {
		p.Publisher = New(baseURL, client)
		p.Authorization = Authorization(baseURL, client)
		// Publishing takes the publish scope (sandboxserver refuses a
		// draft without it).
		p.Needs = func(string, publishers.Content) []publishers.ScopeNeed { return []publishers.ScopeNeed{{"publish"}} }
	}
	return p
}
