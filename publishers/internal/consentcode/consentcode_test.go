package consentcode

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

type binding struct {
	Account string `json:"a"`
	URI     string `json:"u"`
}

// A sealed code opens to what was sealed, and only with its prefix and
// key, unaltered.
func TestSealOpen(t *testing.T) {
	want := binding{"acct-1", "http://127.0.0.1/cb"}
	code := Seal("AQB.", "secret", want)
	var got binding
	if !Open("AQB.", "secret", code, &got) || got != want {
		t.Fatalf("Open = %+v, want %+v", got, want)
	}
	for name, c := range map[string][3]string{
		"another key":    {"AQB.", "other", code},
		"another prefix": {"code.", "secret", code},
		"altered":        {"AQB.", "secret", code[:len(code)-2] + "xx"},
		"not a code":     {"AQB.", "secret", "AQB.nodot"},
	} {
		if Open(c[0], c[1], c[2], &got) {
			t.Errorf("%s: opened", name)
		}
	}
}

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "example.com": false, "10.0.0.1": false} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
}

// Back keeps the redirect URI's own query, adds the state and the params,
// and appends the suffix.
func TestBack(t *testing.T) {
	authorize := url.Values{"redirect_uri": {"https://app.example/cb?x=1"}, "state": {"s1"}}
	rec := httptest.NewRecorder()
	Back(rec, httptest.NewRequest(http.MethodPost, "/authorize", nil), authorize, url.Values{"code": {"c"}}, "#_")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "https://app.example/cb?code=c&state=s1&x=1#_" {
		t.Errorf("%d %q", rec.Code, rec.Header().Get("Location"))
	}
}
