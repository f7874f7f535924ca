package connect

import (
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// grantedScopes splits the token answer's scope (RFC 6749 §5.1: present
// when the grant differs from the ask) and returns what was granted and
// which asked scopes are missing. No scope in the answer means all that
// was asked; an empty one, nothing. It splits at spaces and commas
// alike: LinkedIn asks with spaces and answers with commas, and no
// platform's scope holds either.
func grantedScopes(asked []string, tok *oauth2.Token) (granted, missing []string) {
	s, ok := tok.Extra("scope").(string)
	if !ok {
		return asked, nil
	}
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		if !slices.Contains(granted, g) {
			granted = append(granted, g)
		}
	}
	for _, a := range asked {
		if !slices.Contains(granted, a) {
			missing = append(missing, a)
		}
	}
	return granted, missing
}
