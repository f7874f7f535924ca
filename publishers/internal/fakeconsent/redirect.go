package fakeconsent

import (
	"net"
	"net/url"
	"slices"
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
