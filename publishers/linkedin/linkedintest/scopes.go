package linkedintest

import (
	"net/http"
	"strings"
)

// OrdinaryScopes are the scopes of a token the server did not issue
// (any non-empty string works as a token); a token a consent or
// IssueToken issued carries what was granted then, from then on. They
// are what an app with the open products gets (Share on
// LinkedIn: w_member_social; Community Management API:
// w_organization_social, r_organization_social). r_member_social, which
// reading a member's own posts needs, is a closed permission LinkedIn
// grants few apps (Posts API, "Find Posts by Authors": r_member_social
// for members, r_organization_social for organizations), so tokens lack
// it by default.
const OrdinaryScopes = "w_member_social w_organization_social r_organization_social"

// grantLocked records the scopes of a token being issued; callers hold
// mu.
func (s *Server) grantLocked(token string, scopes []string) {
	if s.scopes == nil {
		s.scopes = map[string]map[string]bool{}
	}
	set := map[string]bool{}
	for _, sc := range scopes {
		for _, f := range strings.Fields(sc) {
			set[f] = true
		}
	}
	s.scopes[token] = set
}

// hasScope says whether token carries scope; callers hold mu.
func (s *Server) hasScope(token, scope string) bool {
	if set, ok := s.scopes[token]; ok {
		return set[scope]
	}
	return strings.Contains(" "+OrdinaryScopes+" ", " "+scope+" ")
}

// needScope is the 403 LinkedIn answers a token without the scope a call
// needs (Error Handling, "403 Forbidden": ACCESS_DENIED, serviceErrorCode
// 100, "Not enough permissions to access: <resource>"), or ok.
func (s *Server) needScope(r *http.Request, scope, resource string) (reply, bool) {
	token, _ := tokenOf(r)
	s.mu.Lock()
	ok := s.hasScope(token, scope)
	s.mu.Unlock()
	if ok {
		return reply{}, true
	}
	return fail(http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: "+resource), false
}

// authorScope is the scope a call on behalf of author needs: the member
// or the organization variant of kind ("w_%s_social", "r_%s_social").
func authorScope(author, kind string) string {
	who := "member"
	if strings.HasPrefix(author, "urn:li:organization:") {
		who = "organization"
	}
	return strings.Replace(kind, "%s", who, 1)
}
