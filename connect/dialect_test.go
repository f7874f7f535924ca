package connect_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/publishers"
)

// A platform's dialect shapes the authorize URL: the client id's name,
// the scope separator, PKCE only where the platform takes it, its own
// parameters.
func TestAuthorizeURLDialects(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name string
		auth publishers.Authorization
		want map[string]string // "" means absent
	}{
		{"standard", publishers.Authorization{AuthURL: "https://p.example/auth", ClientID: "cid", PublishScopes: []string{"a", "b"}, PKCE: true, AuthParams: map[string]string{"access_type": "offline"}},
			map[string]string{"client_id": "cid", "scope": "a b", "code_challenge_method": "S256", "access_type": "offline", "client_key": ""}},
		{"client_key and commas, no PKCE", publishers.Authorization{AuthURL: "https://p.example/auth", ClientID: "ck", ClientIDParam: "client_key", ScopeSeparator: ",", PublishScopes: []string{"a", "b"}},
			map[string]string{"client_key": "ck", "client_id": "", "scope": "a,b", "code_challenge": "", "code_challenge_method": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.auth
			f, err := connect.New(connect.Options{Redis: r.h.Redis, Keys: r.h.Keys, Vault: r.h.Vault, PublicURL: "https://herald.example",
				ReturnURLs: []string{"https://app.example/"}, Platforms: []publishers.Platform{{Name: "p", Authorization: &a}}})
			if err != nil {
				t.Fatal(err)
			}
			s, err := f.Start(context.Background(), connect.Request{Platform: "p", AccountID: "a", ReturnURL: "https://app.example/done", Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			q := mustParse(t, s.AuthorizeURL).Query()
			for k, v := range tt.want {
				if got := q.Get(k); got != v || (v == "" && q.Has(k)) {
					t.Errorf("%s=%q, want %q (URL %s)", k, got, v, s.AuthorizeURL)
				}
			}
			if q.Get("redirect_uri") != "https://herald.example/v1/oauth/p/callback" {
				t.Errorf("redirect_uri %q", q.Get("redirect_uri"))
			}
		})
	}
}
