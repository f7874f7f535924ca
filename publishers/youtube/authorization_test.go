package youtube

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// rs256 is the header of Google's id tokens.
var rs256 = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k1","typ":"JWT"}`))

func TestIDTokenSubject(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tok := func(claims map[string]any) *oauth2.Token {
		j, _ := json.Marshal(claims)
		raw := rs256 + "." + base64.RawURLEncoding.EncodeToString(j) + ".sig"
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
		{"not base64", (&oauth2.Token{}).WithExtra(map[string]any{"id_token": rs256 + ".%%%.c"}), "base64url"},
		{"several audiences, this client authorized", func() *oauth2.Token {
			c := good()
			c["aud"] = []string{"other", "client"}
			c["azp"] = "client"
			return tok(c)
		}(), ""},
		{"several audiences, azp another", func() *oauth2.Token {
			c := good()
			c["aud"] = []string{"other", "client"}
			c["azp"] = "other"
			return tok(c)
		}(), "another client"},
		{"audience list without this client", with("aud", []string{"other"}), "another client"},
		{"audience of another type", with("aud", 7), "payload"},
		{"alg none", (&oauth2.Token{}).WithExtra(map[string]any{"id_token": base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + strings.Split(tok(good()).Extra("id_token").(string), ".")[1] + "."}), "alg"},
		{"header not JSON", (&oauth2.Token{}).WithExtra(map[string]any{"id_token": "bm90IGpzb24.e30.s"}), "header"},
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
