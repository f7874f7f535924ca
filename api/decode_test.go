package api

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBadBodiesAreRefusedNamingTheFieldAndChangeNothing sends every kind
// of wrong body and checks the status, the code, the field named and
// that Redis is exactly as before.
func TestBadBodiesAreRefusedNamingTheFieldAndChangeNothing(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	expect(t, f.do("POST", "/v1/posts", postBody("p0", "acct-1", "youtube", time.Now().Add(time.Hour))), http.StatusCreated)
	before := f.dump()

	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	good := map[string]string{
		"post_id": `"p1"`, "account_id": `"acct-1"`, "platform": `"youtube"`, "publish_at": `"` + at + `"`,
		"content": `{"text":"hi"}`,
	}
	// with returns the good post with field set to raw JSON ("" drops it).
	with := func(field, raw string) string {
		m := maps.Clone(good)
		if raw == "" {
			delete(m, field)
		} else {
			m[field] = raw
		}
		var parts []string
		for k, v := range m {
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"empty body", "POST", "/v1/posts", "", 400, codeBadJSON, ""},
		{"not JSON", "POST", "/v1/posts", "post_id=p1", 400, codeBadJSON, ""},
		{"truncated", "POST", "/v1/posts", `{"post_id":"p1"`, 400, codeBadJSON, ""},
		{"array", "POST", "/v1/posts", `[1,2]`, 400, codeBadJSON, ""},
		{"trailing data", "POST", "/v1/posts", with("post_id", `"p1"`) + ` {"x":1}`, 400, codeBadJSON, ""},
		{"unknown field", "POST", "/v1/posts", with("colour", `"red"`), 400, codeBadJSON, "colour"},
		{"unknown nested field", "POST", "/v1/posts", with("content", `{"text":"hi","font":"serif"}`), 400, codeBadJSON, "font"},
		{"id wrong type", "POST", "/v1/posts", with("post_id", `42`), 400, codeBadJSON, "post_id"},
		{"media wrong type", "POST", "/v1/posts", with("content", `{"media":[{"url":1,"kind":"image"}]}`), 400, codeBadJSON, "content.media.url"},
		{"options wrong type", "POST", "/v1/posts", with("content", `{"text":"x","options":{"privacy":true}}`), 400, codeBadJSON, "content.options"},
		{"no post_id", "POST", "/v1/posts", with("post_id", ""), 400, codeInvalid, "post_id"},
		{"bad post_id", "POST", "/v1/posts", with("post_id", `"a b"`), 400, codeInvalid, "post_id"},
		{"long post_id", "POST", "/v1/posts", with("post_id", `"`+strings.Repeat("a", 129)+`"`), 400, codeInvalid, "post_id"},
		{"bad account_id", "POST", "/v1/posts", with("account_id", `"a/b"`), 400, codeInvalid, "account_id"},
		{"unknown platform", "POST", "/v1/posts", with("platform", `"myspace"`), 400, codeInvalid, "platform"},
		{"no publish_at", "POST", "/v1/posts", with("publish_at", ""), 400, codeInvalid, "publish_at"},
		{"publish_at without zone", "POST", "/v1/posts", with("publish_at", `"2030-01-01T10:00:00"`), 400, codeInvalid, "publish_at"},
		{"publish_at not a time", "POST", "/v1/posts", with("publish_at", `"tomorrow"`), 400, codeInvalid, "publish_at"},
		{"publish_at long ago", "POST", "/v1/posts", with("publish_at", `"2001-01-01T00:00:00Z"`), 400, codeInvalid, "publish_at"},
		{"not_after before publish_at", "POST", "/v1/posts", with("not_after", `"2001-01-01T00:00:00Z"`), 400, codeInvalid, "not_after"},
		{"empty content", "POST", "/v1/posts", with("content", `{}`), 400, codeInvalid, "content"},
		{"bad media url", "POST", "/v1/posts", with("content", `{"media":[{"url":"ftp://x/y","kind":"image"}]}`), 400, codeInvalid, "content.media[0].url"},
		{"bad media kind", "POST", "/v1/posts", with("content", `{"media":[{"url":"https://x/y","kind":"gif"}]}`), 400, codeInvalid, "content.media[0].kind"},
		{"form content type", "POST", "/v1/posts", "", 415, codeMediaType, ""},
		{"huge body", "POST", "/v1/posts", with("content", `{"text":"`+strings.Repeat("a", DefaultMaxBodyBytes)+`"}`), 413, codeTooLarge, ""},
		{"account unknown field", "POST", "/v1/accounts", `{"account_id":"a2","platform":"youtube","access_token":"t","password":"x"}`, 400, codeBadJSON, "password"},
		{"account no token", "POST", "/v1/accounts", `{"account_id":"a2","platform":"youtube"}`, 400, codeInvalid, "access_token"},
		{"account bad id", "POST", "/v1/accounts", `{"account_id":"a 2","platform":"youtube","access_token":"t"}`, 400, codeInvalid, "account_id"},
		{"account bad platform", "POST", "/v1/accounts", `{"account_id":"a2","platform":"myspace","access_token":"t"}`, 400, codeInvalid, "platform"},
		{"account bad expiry", "POST", "/v1/accounts", `{"account_id":"a2","platform":"youtube","access_token":"t","expiry":"soon"}`, 400, codeInvalid, "expiry"},
		{"account scopes wrong type", "POST", "/v1/accounts", `{"account_id":"a2","platform":"youtube","access_token":"t","scopes":"a b"}`, 400, codeBadJSON, "scopes"},
		{"account empty scope", "POST", "/v1/accounts", `{"account_id":"a2","platform":"youtube","access_token":"t","scopes":[""]}`, 400, codeInvalid, "scopes[0]"},
		{"patch bad time", "PATCH", "/v1/posts/p0", `{"publish_at":"later"}`, 400, codeInvalid, "publish_at"},
		{"patch unknown field", "PATCH", "/v1/posts/p0", `{"state":"published"}`, 400, codeBadJSON, "state"},
		{"patch not_after not a time", "PATCH", "/v1/posts/p0", `{"not_after":"tomorrow"}`, 400, codeInvalid, "not_after"},
		{"patch content unknown field", "PATCH", "/v1/posts/p0", `{"content":{"txt":"x"}}`, 400, codeBadJSON, "txt"},
		{"bad post id in path", "GET", "/v1/posts/a%20b", "", 400, codeInvalid, "post_id"},
		{"bad account id in path", "GET", "/v1/accounts/a%20b", "", 400, codeInvalid, "account_id"},
		{"bad days", "GET", "/v1/accounts/acct-1/analytics?days=0", "", 400, codeInvalid, "days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Authorization": "Bearer " + testKey}
			if tt.code == codeMediaType {
				h["Content-Type"] = "application/x-www-form-urlencoded"
				tt.body = "post_id=p1"
			}
			r := f.doWith(tt.method, tt.path, tt.body, h)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			e := r.error(t)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q: %s", e.Code, tt.code, r.body)
			}
			if tt.field != "" {
				named := false
				for _, fp := range e.Fields {
					named = named || fp.Field == tt.field
				}
				if !named {
					t.Errorf("field %q not named: %s", tt.field, r.body)
				}
			}
			if tt.status == 400 && tt.code == codeBadJSON && !strings.Contains(e.Message, "line") &&
				tt.field == "" && tt.name != "empty body" && tt.name != "truncated" && tt.name != "array" {
				t.Errorf("400 does not say where: %s", e.Message)
			}
		})
	}
	if after := f.dump(); !maps.Equal(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("refused requests changed %s:\n%s\n->\n%s", k, before[k], v)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("refused requests deleted %s", k)
			}
		}
	}
}

func TestJSONErrorsSayWhere(t *testing.T) {
	var v postRequest
	tests := []struct{ body, want string }{
		{"{\n  \"post_id\": \"p1\",\n  \"platform\" \"x\"\n}", "line 3, column 14"},
		{`{"post_id":"p1"} x`, "unexpected data after the JSON object at line 1, column 18"},
		{"{\"post_id\":\n 7}", "post_id at line 2, column 3: must be a string, not number"},
	}
	for _, tt := range tests {
		p := unmarshalStrict([]byte(tt.body), &v)
		if p == nil || !strings.Contains(p.message, tt.want) {
			t.Errorf("%q: %v, want %q", tt.body, p, tt.want)
		}
	}
}

func FuzzUnmarshalStrict(f *testing.F) {
	f.Add([]byte(postBody("p1", "a", "youtube", time.Now())))
	f.Add([]byte(`{"post_id":1}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte("\n\n{\"content\":{\"media\":[{\"url\":[]}]}}"))
	f.Add([]byte(linkedInBody("a", "linkedin", "urn:li:person:ada", "t", `["urn:li:organization:1","urn:li:organization:1"]`)))
	f.Add([]byte(`{"platform":"linkedin","organizations":["urn:li:organization:"]}`))
	f.Add([]byte(`{"platform":"youtube","organizations":[null,7]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var v postRequest
		if p := unmarshalStrict(body, &v); p != nil && (p.status != http.StatusBadRequest || p.message == "") {
			t.Fatalf("problem %+v", p)
		}
		// POST /v1/accounts' body (the Vault checks its organizations:
		// tokens' FuzzCheckOrganizations).
		var c connectRequest
		if p := unmarshalStrict(body, &c); p != nil && (p.status != http.StatusBadRequest || p.message == "") {
			t.Fatalf("problem %+v", p)
		}
	})
}
