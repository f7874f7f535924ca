package tiktoktest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// AllScopes are the scopes of a grant that Issue made (and of every token
// a consent made before its scopes were known): all Herald uses.
const AllScopes = "user.info.basic,user.info.stats,video.publish,video.upload,video.list"

// endpointScopes are the scopes each endpoint takes, any one of them
// (each endpoint's reference page, "Scopes"): creator_info and Direct
// Post's init need video.publish; the inbox init video.upload; the
// content init and the status fetch serve both flows; the video query
// video.list; the user info user.info.basic (its counts also
// user.info.stats, which the fields ask: not checked here).
var endpointScopes = map[Endpoint][]string{
	EndpointCreatorInfo: {"video.publish"},
	EndpointVideoInit:   {"video.publish"},
	EndpointInboxInit:   {"video.upload"},
	EndpointContentInit: {"video.publish", "video.upload"},
	EndpointStatus:      {"video.publish", "video.upload"},
	EndpointVideoQuery:  {"video.list"},
	EndpointUserInfo:    {"user.info.basic"},
}

// scopeRefused says whether the token of r lacks the scope ep takes: TikTok
// answers scope_not_authorized ("The user did not authorize the scope
// required for completing this request", Error Codes). Tokens the
// server did not issue carry every scope.
func (s *Server) scopeRefused(ep Endpoint, r *http.Request) bool {
	need := endpointScopes[ep]
	if len(need) == 0 {
		return false
	}
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	g, known := s.access[tok]
	if !known {
		return false
	}
	granted := strings.Split(g.scopeList(), ",")
	return !slices.ContainsFunc(need, func(n string) bool { return slices.Contains(granted, n) })
}

// scopeList is the grant's scopes, comma-joined as TikTok answers them.
func (g *grant) scopeList() string {
	if g.scopes == "" {
		return AllScopes
	}
	return g.scopes
}

// grantedOf is what a user who ticked grant (the consent form's "grant"
// values; none means all) of asked (comma-joined) granted: TikTok's
// consent lets users "agree to a subset of scopes you requested" (Manage
// User Access Tokens, "Authorization scopes"); user.info.basic, which
// every app needs, stays.
func grantedOf(asked string, grant []string) string {
	return strings.Join(fakeconsent.Kept(strings.Split(asked, ","), grant, "user.info.basic"), ",")
}
