package connect

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckReturnURL: whatever an app sends as return_url, an accepted
// one has the scheme and host of an allowed prefix, a path under it, no
// user info and no fragment.
func FuzzCheckReturnURL(f *testing.F) {
	for _, s := range []string{
		"https://app.example/connected/done", "https://app.example/connected", "https://app.example.evil/connected",
		"https://app.example/connectedx", "https://app.example/connected/../admin", "https://u@app.example/connected",
		"http://127.0.0.1:8080/cb", "https://app.example/connected/%2e%2e/x", "//app.example/connected", "https://APP.example/connected#x",
	} {
		f.Add(s)
	}
	allow, err := parseAllowList([]string{"https://app.example/connected", "http://127.0.0.1:8080/cb/"})
	if err != nil {
		f.Fatal(err)
	}
	fl := &Flow{returns: allow}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := fl.checkReturnURL(s)
		if err != nil {
			return
		}
		p, perr := url.Parse(s)
		if perr != nil || p.User != nil || strings.Contains(s, "#") {
			t.Fatalf("accepted %q", s)
		}
		ok := false
		for _, a := range allow {
			if u.Scheme == a.scheme && strings.EqualFold(u.Host, a.host) && pathUnder(u.Path, a.path) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("accepted %q outside every prefix", s)
		}
		for _, seg := range strings.Split(u.Path, "/") {
			if seg == ".." {
				t.Fatalf("accepted %q with ..", s)
			}
		}
	})
}
