package fakeconsent

import (
	"net"
	"net/url"
	"slices"
	"strings"
)

// Loopback reports whether host is localhost or a loopback address: the
// fakes let http redirect URIs through only there, as the platforms allow
// http for local development at most.
func Loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// RedirectOK reports whether raw is a redirect_uri Instagram, LinkedIn
// and TikTok take: absolute, without a fragment, https (http on
// loopback, for tests). A platform with more rules (TikTok: no query)
// checks them itself.
func RedirectOK(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.IsAbs() && u.Fragment == "" &&
		(u.Scheme == "https" || u.Scheme == "http" && Loopback(u.Hostname()))
}

// Kept is what a user grants who, on a consent page that lets scopes be
// unticked, kept ticked (none: all were kept) of asked; always are the
// scopes the platform does not let a user untick.
func Kept(asked, ticked []string, always ...string) []string {
	if len(ticked) == 0 {
		return asked
	}
	var out []string
	for _, a := range asked {
		if slices.Contains(always, a) || slices.Contains(ticked, a) {
			out = append(out, a)
		}
	}
	return out
}

// Problem is the first parameter of an authorize request (its query q)
// that Instagram, LinkedIn and TikTok refuse before consent, or "":
// response_type other than code, the client parameter (clientParam:
// client_id, or TikTok's client_key) missing or, when clientID is set,
// another, no scope, a redirect_uri RedirectOK refuses. Each fake words
// the refusal as its platform does and adds its own rules.
func Problem(q url.Values, clientParam, clientID string) string {
	switch {
	case q.Get("response_type") != "code":
		return "response_type"
	case q.Get(clientParam) == "" || clientID != "" && q.Get(clientParam) != clientID:
		return clientParam
	case strings.TrimSpace(q.Get("scope")) == "":
		return "scope"
	case !RedirectOK(q.Get("redirect_uri")):
		return "redirect_uri"
	}
	return ""
}
