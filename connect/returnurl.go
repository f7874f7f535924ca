package connect

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/input"
)

// allowed is one prefix of HERALD_CONNECT_RETURN_URLS.
type allowed struct {
	scheme, host, path string
}

// parseAllowList parses the allowed return URL prefixes: absolute,
// https except on loopback, without user info, query or fragment.
func parseAllowList(list []string) ([]allowed, error) {
	out := make([]allowed, 0, len(list))
	for _, s := range list {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		if p := urlProblem(u); p != "" {
			return nil, fmt.Errorf("%q: %s", s, p)
		}
		if u.RawQuery != "" || u.ForceQuery {
			return nil, fmt.Errorf("%q: a prefix has no query", s)
		}
		out = append(out, allowed{scheme: u.Scheme, host: strings.ToLower(u.Host), path: u.Path})
	}
	return out, nil
}

// urlProblem says what makes u unfit as a place to send a browser with
// an account id, or "".
func urlProblem(u *url.URL) string {
	switch {
	case !u.IsAbs() || u.Host == "":
		return "not an absolute URL"
	case u.User != nil:
		return "has user info"
	case u.Fragment != "" || strings.Contains(u.String(), "#"):
		return "has a fragment"
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	default:
		return "must be https (http only on loopback)"
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "has a . or .. segment"
		}
	}
	return ""
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errNoReturnURLs refuses every consent while the allow-list is empty.
var errNoReturnURLs = &input.FieldError{Field: "return_url", Problem: "no return URL is allowed: set HERALD_CONNECT_RETURN_URLS"}

// checkReturnURL returns s parsed when it starts with an allowed prefix:
// same scheme and host (port included), and a path that is the prefix's
// or continues it at a '/'. Comparing parsed parts, not strings, keeps
// https://app.example.com.evil.test out of https://app.example.com.
func (f *Flow) checkReturnURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, &input.FieldError{Field: "return_url", Problem: "required"}
	}
	if len(f.returns) == 0 {
		return nil, errNoReturnURLs
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, &input.FieldError{Field: "return_url", Problem: "not a URL"}
	}
	if p := urlProblem(u); p != "" {
		return nil, &input.FieldError{Field: "return_url", Problem: p}
	}
	for _, a := range f.returns {
		if u.Scheme == a.scheme && strings.ToLower(u.Host) == a.host && pathUnder(u.Path, a.path) {
			return u, nil
		}
	}
	return nil, &input.FieldError{Field: "return_url", Problem: "not under any prefix of HERALD_CONNECT_RETURN_URLS"}
}

// pathUnder reports whether p is prefix or continues it at a '/'.
func pathUnder(p, prefix string) bool {
	if prefix == "" || strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(p, prefix) || p+"/" == prefix
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// withResult is u with the outcome in its query, replacing parameters of
// the same names the app may have put there.
func withResult(u *url.URL, account, status, code string) string {
	r := *u
	q := r.Query()
	for _, k := range []string{"account_id", "status", "error"} {
		q.Del(k)
	}
	q.Set("account_id", account)
	q.Set("status", status)
	if code != "" {
		q.Set("error", code)
	}
	r.RawQuery = q.Encode()
	return r.String()
}
