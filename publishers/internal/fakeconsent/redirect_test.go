package fakeconsent

import (
	"net/url"
	"slices"
	"testing"
)

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "example.com": false, "10.0.0.1": false} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
}

func TestRedirectOK(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://app.example/cb":      true,
		"https://app.example/cb?x=1":  true,
		"http://127.0.0.1:8080/cb":    true,
		"http://localhost/cb":         true,
		"http://app.example/cb":       false,
		"https://app.example/cb#frag": false,
		"/cb":                         false,
		"":                            false,
		"ftp://app.example/cb":        false,
	} {
		if RedirectOK(raw) != want {
			t.Errorf("RedirectOK(%q) = %v", raw, !want)
		}
	}
}

// A user keeps what was ticked and what cannot be unticked; nothing
// ticked is everything.
func TestKept(t *testing.T) {
	asked := []string{"basic", "publish", "insights"}
	if got := Kept(asked, nil, "basic"); !slices.Equal(got, asked) {
		t.Errorf("none ticked: %v", got)
	}
	if got := Kept(asked, []string{"insights"}, "basic"); !slices.Equal(got, []string{"basic", "insights"}) {
		t.Errorf("insights ticked: %v", got)
	}
	if got := Kept(asked, []string{"insights"}); !slices.Equal(got, []string{"insights"}) {
		t.Errorf("insights ticked, nothing kept always: %v", got)
	}
}

func TestProblem(t *testing.T) {
	good := func() url.Values {
		return url.Values{"response_type": {"code"}, "client_key": {"k"}, "scope": {"a"}, "redirect_uri": {"https://app.example/cb"}}
	}
	for want, tweak := range map[string]func(url.Values){
		"":              func(url.Values) {},
		"response_type": func(q url.Values) { q.Set("response_type", "token") },
		"client_key":    func(q url.Values) { q.Set("client_key", "other") },
		"scope":         func(q url.Values) { q.Set("scope", " ") },
		"redirect_uri":  func(q url.Values) { q.Set("redirect_uri", "http://app.example/cb") },
	} {
		q := good()
		tweak(q)
		if got := Problem(q, "client_key", "k"); got != want {
			t.Errorf("Problem = %q, want %q", got, want)
		}
	}
	if got := Problem(url.Values{"response_type": {"code"}, "scope": {"a"}, "redirect_uri": {"https://app.example/cb"}}, "client_id", ""); got != "client_id" {
		t.Errorf("no client_id: %q", got)
	}
	if got := Problem(url.Values{"response_type": {"code"}, "client_id": {"any"}, "scope": {"a"}, "redirect_uri": {"https://app.example/cb"}}, "client_id", ""); got != "" {
		t.Errorf("any client_id when none is set: %q", got)
	}
}
