package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

func TestEveryWayOfFailingAuthGetsTheSame401(t *testing.T) {
	f := newFixture(t)
	cases := map[string]map[string]string{
		"no header":        nil,
		"empty bearer":     {"Authorization": "Bearer "},
		"basic scheme":     {"Authorization": "Basic " + testKey},
		"no scheme":        {"Authorization": testKey},
		"wrong key":        {"Authorization": "Bearer wrong-key-0123456789abcdefghijkl"},
		"key prefix":       {"Authorization": "Bearer " + testKey[:len(testKey)-1]},
		"key with suffix":  {"Authorization": "Bearer " + testKey + "x"},
		"key in uppercase": {"Authorization": "Bearer " + strings.ToUpper(testKey)},
	}
	var first []byte
	for name, h := range cases {
		for _, path := range []string{"/v1/posts/p1", "/v1/no-such-route", "/v1/accounts"} {
			r := f.doWith("GET", path, "", h)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("%s, GET %s: status %d, want 401", name, path, r.status)
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="herald"` {
				t.Errorf("%s: WWW-Authenticate %q", name, got)
			}
			if r.error(t).Code != codeUnauthorized {
				t.Errorf("%s: code %s", name, r.body)
			}
			if first == nil {
				first = r.body
			} else if string(r.body) != string(first) {
				t.Errorf("%s: 401 body differs from another's, which hints at what was wrong:\n%s\n%s", name, r.body, first)
			}
		}
	}
}

func TestEachKeyWorksAndIsLoggedByName(t *testing.T) {
	f := newFixture(t)
	for _, key := range []string{testKey, otherKey} {
		r := f.doWith("GET", "/v1/posts/p1", "", map[string]string{"Authorization": "bearer " + key})
		expect(t, r, http.StatusNotFound)
	}
	logs := f.logs.String()
	for _, want := range []string{`"key":"app"`, `"key":"ci"`, `"route":"GET /v1/posts/{id}"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, testKey) || strings.Contains(logs, otherKey) {
		t.Errorf("an API key is in the logs:\n%s", logs)
	}
}

func TestProbesAndDocumentNeedNoKey(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/healthz", "/readyz", "/v1/openapi.json"} {
		expect(t, f.doWith("GET", path, "", nil), http.StatusOK)
	}
}

func TestReadyzFailsWhenRedisDoesNot(t *testing.T) {
	f := newFixture(t, func(o *Options, _ *redistest.DB) {
		o.Ready = func(context.Context) error { return errors.New("dial tcp: refused") }
	})
	r := f.doWith("GET", "/readyz", "", nil)
	expect(t, r, http.StatusServiceUnavailable)
	if r.error(t).Code != codeUnavailable {
		t.Errorf("readyz: %s", r.body)
	}
	expect(t, f.doWith("GET", "/healthz", "", nil), http.StatusOK)
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	f := newFixture(t)
	r := f.do("GET", "/v1/nothing", "")
	expect(t, r, http.StatusNotFound)
	if r.error(t).Code != codeNotFound {
		t.Errorf("404: %s", r.body)
	}
	r = f.do("PUT", "/v1/posts/p1", "")
	expect(t, r, http.StatusMethodNotAllowed)
	if r.error(t).Code != codeMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "PATCH") {
		t.Errorf("405: Allow %q, %s", r.header.Get("Allow"), r.body)
	}
}

func TestParseTokens(t *testing.T) {
	long := strings.Repeat("x", MinTokenLen)
	tests := []struct {
		spec    string
		want    map[string]string
		problem string
	}{
		{"app:" + long, map[string]string{long: "app"}, ""},
		{" app : " + long + " , ci:" + long + "y,", map[string]string{long: "app", long + "y": "ci"}, ""},
		{"", nil, "no API key"},
		{"app" + long, nil, "key 1: want name:token"},
		{"app:short", nil, "key 1 (app): token shorter than 24 characters"},
		{"a b:" + long, nil, "key 1: name must be"},
		{"app:" + long + ",app:" + long + "z", nil, "key 2 (app): name used twice"},
		{"app:" + long + ",ci:" + long, nil, "key 2 (ci): same token as app"},
		{"app:" + long + " " + long, nil, "white space"},
	}
	for _, tt := range tests {
		got, err := ParseTokens(tt.spec)
		if tt.problem != "" {
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("ParseTokens(%q): %v, want an error with %q", tt.spec, err, tt.problem)
			}
			if err != nil && strings.Contains(err.Error(), long) {
				t.Errorf("ParseTokens(%q): the error shows a token: %v", tt.spec, err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("ParseTokens(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseTokens(%q)[%s] = %q, want %q", tt.spec, k, got[k], v)
			}
		}
	}
}

func FuzzParseTokens(f *testing.F) {
	f.Add("app:" + testKey)
	f.Add("a:b,c:d")
	f.Add(",,:,")
	f.Fuzz(func(t *testing.T, spec string) {
		keys, err := ParseTokens(spec)
		if err != nil {
			// Names may be shown; a token may not (unless it is also
			// written as a name, which the check cannot tell apart).
			var names, toks []string
			for _, entry := range strings.Split(spec, ",") {
				name, tok, _ := strings.Cut(entry, ":")
				names, toks = append(names, strings.TrimSpace(name)), append(toks, strings.TrimSpace(tok))
			}
			for _, tok := range toks {
				if len(tok) < MinTokenLen || !strings.Contains(err.Error(), tok) {
					continue
				}
				if !strings.Contains(strings.Join(names, ","), tok) {
					t.Fatalf("error shows a token: %v", err)
				}
			}
			return
		}
		for tok, name := range keys {
			if len(tok) < MinTokenLen || !keyNamePattern.MatchString(name) {
				t.Fatalf("accepted %q -> %q", tok, name)
			}
		}
	})
}
