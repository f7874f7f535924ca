package youtube

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestIDTokenSubject(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tok := func(claims map[string]any) *oauth2.Token {
		j, _ := json.Marshal(claims)
		raw := "e30." + base64.RawURLEncoding.EncodeToString(j) + ".sig"
		return (&oauth2.Token{AccessToken: "a"}).WithExtra(map[string]any{"id_token": raw})
	}
	good := func() map[string]any {
		return map[string]any{"iss": "https://accounts.google.com", "aud": "client", "sub": "1234", "exp": now.Unix() + 60}
	}
	with := func(k string, v any) *oauth2.Token { c := good(); c[k] = v; return tok(c) }
	tests := []struct {
		name    string
		tok     *oauth2.Token
		wantErr string
	}{
		{"good", tok(good()), ""},
		{"issuer without scheme", with("iss", "accounts.google.com"), ""},
		{"no id token", &oauth2.Token{AccessToken: "a"}, "no id token"},
		{"another client", with("aud", "other"), "another client"},
		{"not Google", with("iss", "https://evil.example"), "not Google"},
		{"expired", with("exp", now.Unix()), "expired"},
		{"no sub", with("sub", ""), "without sub"},
		{"not base64", (&oauth2.Token{}).WithExtra(map[string]any{"id_token": "a.%%%.c"}), "base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := idTokenSubject(tt.tok, "client", now)
			if tt.wantErr == "" {
				if err != nil || sub != "1234" {
					t.Fatalf("sub %q, %v", sub, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}
