package tiktok_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func TestRefreshRotatesTheRefreshToken(t *testing.T) {
	e := start(t)
	tok := e.srv.Issue("open-1")
	first := tok
	for i := range 20 {
		next, err := e.p.RefreshToken(context.Background(), nil, tok)
		if err != nil {
			t.Fatalf("refresh %d: %v", i+1, err)
		}
		if next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken || next.RefreshToken != e.srv.LiveRefreshToken("open-1") {
			t.Fatalf("refresh %d did not hand over the new refresh token", i+1)
		}
		if !next.Expiry.Equal(epoch.Add(tiktoktest.AccessTokenLifetime)) || next.Extra("open_id") != "open-1" {
			t.Errorf("refresh %d: expiry %s, open_id %v", i+1, next.Expiry, next.Extra("open_id"))
		}
		tok = next
	}
	// The first refresh token died with the first rotation.
	_, err := e.p.RefreshToken(context.Background(), nil, first)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("stale refresh token: err = %v, want a RetrieveError invalid_grant", err)
	}
	for _, secret := range []string{first.RefreshToken, first.AccessToken, tiktoktest.DefaultClientSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds a secret", err)
		}
	}
	// The live one still works.
	if _, err := e.p.RefreshToken(context.Background(), nil, tok); err != nil {
		t.Errorf("live refresh token refused: %v", err)
	}
	for _, c := range e.srv.Calls() {
		if c.Endpoint != tiktoktest.EndpointToken || c.Params["client_key"] != tiktoktest.DefaultClientKey || c.Params["grant_type"] != "refresh_token" {
			t.Errorf("call %+v", c)
		}
	}
}

func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e env) *oauth2.Token
		opts  func(*tiktok.Options)
		code  string // RetrieveError code; "" means another error
	}{
		{"no refresh token", func(e env) *oauth2.Token { return &oauth2.Token{AccessToken: "act.no-refresh-0001"} }, nil, "invalid_grant"},
		{"unknown refresh token", func(e env) *oauth2.Token { return &oauth2.Token{RefreshToken: "rft.unknown"} }, nil, "invalid_grant"},
		{"wrong client secret", func(e env) *oauth2.Token { return e.srv.Issue("o") }, func(o *tiktok.Options) { o.ClientSecret = "wrong-secret" }, "invalid_client"},
		{"no client configured", func(e env) *oauth2.Token { return e.srv.Issue("o") }, func(o *tiktok.Options) { o.ClientKey = "" }, ""},
		{"server error", func(e env) *oauth2.Token {
			e.srv.FailNext(tiktoktest.EndpointToken, 1, tiktoktest.Fault{Body: "<html>oops</html>", Status: 502})
			return e.srv.Issue("o")
		}, nil, ""},
		{"lost answer", func(e env) *oauth2.Token {
			e.srv.FailNext(tiktoktest.EndpointToken, 1, tiktoktest.Fault{Lost: true})
			return e.srv.Issue("o")
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*tiktok.Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			e := start(t, opts...)
			tok := tt.setup(e)
			_, err := e.p.RefreshToken(context.Background(), nil, tok)
			if err == nil {
				t.Fatal("refresh succeeded")
			}
			var re *oauth2.RetrieveError
			if got := ""; errors.As(err, &re) {
				got = re.ErrorCode
				if got != tt.code {
					t.Errorf("error code %q, want %q (%v)", got, tt.code, err)
				}
			} else if tt.code != "" {
				t.Errorf("err = %v, want a RetrieveError %q", err, tt.code)
			}
			for _, secret := range []string{tok.RefreshToken, tok.AccessToken, tiktoktest.DefaultClientSecret, "wrong-secret"} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds a secret", err)
				}
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	e := start(t)
	tok := e.srv.Issue("open-1")
	if err := e.p.Revoke(context.Background(), nil, tok); err != nil {
		t.Fatal(err)
	}
	if !e.srv.Revoked(tok.AccessToken) || e.srv.LiveRefreshToken("open-1") != "" {
		t.Error("grant still live")
	}
	req := request(&memory{}, "after revoke", e.src.video(mb))
	req.Token = tok
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassReauth {
		t.Errorf("publish with a revoked token: %v, want reauth", err)
	}
	// Revoking again: nothing left, no error.
	if err := e.p.Revoke(context.Background(), nil, tok); err != nil {
		t.Errorf("second revoke: %v", err)
	}
}

func TestRevokeRefreshesAnExpiredAccessToken(t *testing.T) {
	e := start(t)
	tok := e.srv.Issue("open-1")
	e.clk.Advance(tiktoktest.AccessTokenLifetime + 1)
	if err := e.p.Revoke(context.Background(), nil, tok); err != nil {
		t.Fatal(err)
	}
	if e.srv.LiveRefreshToken("open-1") != "" {
		t.Error("grant still live")
	}
	var got []string
	for _, c := range e.srv.Calls() {
		got = append(got, string(c.Endpoint))
	}
	if strings.Join(got, " ") != "revoke token revoke" {
		t.Errorf("calls %v, want revoke token revoke", got)
	}
}

// Herald takes a token's life from the answer, not from a figure of its
// own: TikTok's pages disagree (2 hours and 180 days in the newest, 24
// hours and 365 days in an older one), and with either the refreshed
// token expires when expires_in says.
func TestRefreshFollowsTheAnsweredLifetime(t *testing.T) {
	for _, lives := range [][2]time.Duration{{tiktoktest.AccessTokenLifetime, tiktoktest.RefreshTokenLifetime}, {24 * time.Hour, 365 * 24 * time.Hour}} {
		e := start(t)
		e.srv.SetTokenLifetimes(lives[0], lives[1])
		next, err := e.p.RefreshToken(context.Background(), nil, e.srv.Issue("open-1"))
		if err != nil {
			t.Fatal(err)
		}
		if !next.Expiry.Equal(epoch.Add(lives[0])) || next.Extra("refresh_expires_in") != int64(lives[1]/time.Second) {
			t.Errorf("lives %v: expiry %s, refresh_expires_in %v", lives, next.Expiry, next.Extra("refresh_expires_in"))
		}
	}
}
