package publishers

import (
	"slices"
	"strings"
)

// ScopeNeed is one permission a publish needs: any one of its scopes,
// granted, gives it (YouTube's videos.insert takes youtube.upload,
// youtube, youtube.force-ssl or youtubepartner).
type ScopeNeed []string

// String names the need for people: "a" or "a or b".
func (n ScopeNeed) String() string { return strings.Join(n, " or ") }

// MetBy reports whether granted holds one of n's scopes.
func (n ScopeNeed) MetBy(granted []string) bool {
	for _, s := range n {
		if slices.Contains(granted, s) {
			return true
		}
	}
	return false
}

// Unmet returns the needs that granted does not meet, in order.
func Unmet(needs []ScopeNeed, granted []string) []ScopeNeed {
	var out []ScopeNeed
	for _, n := range needs {
		if len(n) > 0 && !n.MetBy(granted) {
			out = append(out, n)
		}
	}
	return out
}

// MissingScopes says which of platform's needs for publishing c as
// platformUserID granted does not meet, from the platform's Needs; none
// when the platform declares none.
func (r *Registry) MissingScopes(platform, platformUserID string, c Content, granted []string) []ScopeNeed {
	needs := r.needs[platform]
	if needs == nil {
		return nil
	}
	return Unmet(needs(platformUserID, c), granted)
}
