package metrics

import "github.com/prometheus/client_golang/prometheus"

// Token refresh outcomes, the outcome label of
// herald_token_refreshes_total.
const (
	// RefreshOK: the platform gave a new token and it was stored.
	RefreshOK = "ok"
	// RefreshReauth: the platform refused the refresh token; the account
	// now needs reauthorization.
	RefreshReauth = "reauth"
	// RefreshError: the call or the store failed; a later use tries
	// again.
	RefreshError = "error"
)

// Tokens counts token refreshes. Its methods fit the hook funcs of
// tokens.Options; a nil *Tokens counts nothing.
type Tokens struct {
	refreshes *prometheus.CounterVec
	coalesced *prometheus.CounterVec
}

// NewTokens registers the token metrics on reg.
func NewTokens(reg prometheus.Registerer) *Tokens {
	t := &Tokens{
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_token_refreshes_total",
			Help: "Calls to a platform's token endpoint, by platform and outcome (ok, reauth, error).",
		}, []string{"platform", "outcome"}),
		coalesced: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_token_refresh_coalesced_total",
			Help: "Callers that needed a refresh and got the token another caller (in this process or another) refreshed, by platform.",
		}, []string{"platform"}),
	}
	reg.MustRegister(t.refreshes, t.coalesced)
	return t
}

// Platforms creates each platform's series at zero.
func (t *Tokens) Platforms(names ...string) {
	for _, n := range names {
		n = platformLabel(n)
		for _, o := range []string{RefreshOK, RefreshReauth, RefreshError} {
			t.refreshes.WithLabelValues(n, o)
		}
		t.coalesced.WithLabelValues(n)
	}
}

// Refreshed counts one call to platform's token endpoint that ended with
// outcome (RefreshOK, RefreshReauth or RefreshError; anything else counts
// as "other").
func (t *Tokens) Refreshed(platform, outcome string) {
	if t == nil {
		return
	}
	t.refreshes.WithLabelValues(platformLabel(platform), oneOf(outcome, RefreshOK, RefreshReauth, RefreshError)).Inc()
}

// Coalesced counts one caller that waited for another's refresh instead
// of calling the token endpoint itself.
func (t *Tokens) Coalesced(platform string) {
	if t == nil {
		return
	}
	t.coalesced.WithLabelValues(platformLabel(platform)).Inc()
}
