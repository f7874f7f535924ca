package tokens

import (
	"testing"

	"golang.org/x/oauth2"
)

// The extras a platform needs back come back from the sealed record:
// OpenID's id_token, and the login an Instagram account was connected
// with (its host and refresh grant follow it). Others are dropped.
func TestSealKeepsTheExtrasPlatformsRead(t *testing.T) {
	key, err := GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := ParseKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	r := &record{Account: "a", Platform: "instagram"}
	in := (&oauth2.Token{AccessToken: "IGAA-1"}).WithExtra(map[string]any{"login": "facebook", "id_token": "jwt", "other": "x"})
	r.seal(ring, in)
	out, err := r.open(ring)
	if err != nil {
		t.Fatal(err)
	}
	if out.Extra("login") != "facebook" || out.Extra("id_token") != "jwt" || out.Extra("other") != nil {
		t.Errorf("extras after sealing: login %v, id_token %v, other %v", out.Extra("login"), out.Extra("id_token"), out.Extra("other"))
	}
}
