package fakeconsent

import (
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
