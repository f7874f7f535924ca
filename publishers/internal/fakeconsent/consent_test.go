package fakeconsent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

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

// The page and the decision: a bad authorize request is a 400 with the
// platform's words and no redirect; a refusal goes back with Denied; an
// allow with what Allow made for the user (the field's default when
// empty), the form passed through.
func TestConsent(t *testing.T) {
	var gotUser string
	var gotForm url.Values
	c := &Consent{
		Page:    Page{Title: "Fake", Heading: "Allow?", Field: "member", Label: "Member", Default: "m-default", Deny: "Cancel"},
		Check:   func(q url.Values) string { return map[bool]string{true: "", false: "scope"}[q.Get("scope") != ""] },
		Refused: "param_error: ",
		Denied:  url.Values{"error": {"user_cancelled_authorize"}},
		Allow: func(q, form url.Values, user string) url.Values {
			gotUser, gotForm = user, form
			return url.Values{"code": {"c-" + user}}
		},
		Suffix: "#_",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", c.Show)
	mux.HandleFunc("POST /auth", c.Decide)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	q := url.Values{"redirect_uri": {"https://app.example/cb"}, "state": {"st"}, "scope": {"a b"}}

	resp, err := http.Get(srv.URL + "/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"<title>Fake</title>", `name="member" value="m-default"`, ">Cancel<", "a b"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}

	bad := url.Values{"redirect_uri": {"https://app.example/cb"}}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, _ := http.NewRequest(method, srv.URL+"/auth?"+bad.Encode(), nil)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.HasPrefix(string(body), "param_error: scope") {
			t.Errorf("%s of a bad request: %d %q %q", method, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}

	st, loc, err := Decide(srv.URL+"/auth", q, url.Values{"decision": {"deny"}})
	if err != nil || st != http.StatusSeeOther || loc.Query().Get("error") != "user_cancelled_authorize" || loc.Query().Get("state") != "st" || loc.Query().Has("code") || loc.Fragment != "_" {
		t.Errorf("deny: %d %v %v", st, loc, err)
	}
	if code := Code(t, srv.URL+"/auth", q, url.Values{"grant": {"a"}}); code != "c-m-default" || gotUser != "m-default" || gotForm.Get("grant") != "a" {
		t.Errorf("allow with the default member: %q, user %q, form %v", code, gotUser, gotForm)
	}
	if code := Code(t, srv.URL+"/auth", q, url.Values{"member": {"ada"}}); code != "c-ada" {
		t.Errorf("allow as ada: %q", code)
	}
}
