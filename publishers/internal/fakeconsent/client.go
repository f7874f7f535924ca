package fakeconsent

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// The client side of a consent, for the fakes' tests.

// T is what the helpers below need of a *testing.T.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Decide posts a decision form to the consent page authURL with the
// authorize query q, as a browser would, and returns the status and
// where the page sends the browser (nil when it answered without a
// redirect).
func Decide(authURL string, q, form url.Values) (int, *url.URL, error) {
	resp, err := noFollow.PostForm(authURL+"?"+q.Encode(), form)
	if err != nil {
		return 0, nil, err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return resp.StatusCode, nil, nil
	}
	return resp.StatusCode, loc, nil
}

// Code allows the consent of authURL for the authorize query q (state
// and all) with form (decision=allow is added) and returns the code the
// browser is sent back with; it fails t unless the page sent the browser
// back with a code and q's state.
func Code(t T, authURL string, q, form url.Values) string {
	t.Helper()
	f := url.Values{"decision": {"allow"}}
	for k, v := range form {
		f[k] = v
	}
	_, loc, err := Decide(authURL, q, f)
	if err != nil || loc == nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != q.Get("state") {
		t.Fatalf("consent sent the browser to %v (%v), want a code and state %q", loc, err, q.Get("state"))
	}
	return loc.Query().Get("code")
}

// Exchange posts form to a token endpoint and returns the status and
// the JSON answer; it fails t when the request cannot be made.
func Exchange(t T, tokenURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatalf("POST %s: %v", tokenURL, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var ans map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	return resp.StatusCode, ans
}

// RefusesEach checks that the consent page authURL answers each
// authorize request good() altered by a tweak with a 400 and no
// redirect, allowed or not: a request the platform refuses before
// consent never sends the browser anywhere.
func RefusesEach(t T, authURL string, good func() url.Values, tweaks map[string]func(url.Values)) {
	t.Helper()
	for name, tweak := range tweaks {
		q := good()
		tweak(q)
		if st, loc, err := Decide(authURL, q, url.Values{"decision": {"allow"}}); err != nil || st != http.StatusBadRequest || loc != nil {
			t.Errorf("%s: %d %v %v, want 400 and no redirect", name, st, loc, err)
		}
	}
}
