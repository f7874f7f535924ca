package instagramtest

import (
	"net/http"
	"slices"
	"strings"
)

// Permissions of the tokens a consent issued: each carries those granted
// (the code exchange's "permissions"), the long-lived token its
// short-lived one's, a refreshed token the one it renews. Tokens the
// server did not issue that way carry every permission.

// endpointPermissions are the permissions each endpoint takes, any one
// of them (Instagram Platform, Content Publishing, "Requirements":
// instagram_business_content_publish with Instagram Login,
// instagram_content_publish with Facebook Login).
var endpointPermissions = map[Endpoint][]string{
	EndpointCreate:  {"instagram_business_content_publish", "instagram_content_publish"},
	EndpointPublish: {"instagram_business_content_publish", "instagram_content_publish"},
}

// permissionRefused is the Graph API's answer to a token without the
// permission ep takes (Graph API, Error Handling: code 10, "Permission is
// either not granted or has been removed"), or nil.
func (s *Server) permissionRefused(ep Endpoint, token string) *reply {
	need := endpointPermissions[ep]
	if len(need) == 0 {
		return nil
	}
	s.mu.Lock()
	granted, known := s.permissions[token]
	s.mu.Unlock()
	if !known || slices.ContainsFunc(need, func(p string) bool { return slices.Contains(strings.Split(granted, ","), p) }) {
		return nil
	}
	rep := fail(http.StatusForbidden, 10, 0, "(#10) Application does not have permission for this action")
	return &rep
}

// grantLocked records what token may do; callers hold mu.
func (s *Server) grantLocked(token, permissions string) {
	if s.permissions == nil {
		s.permissions = map[string]string{}
	}
	s.permissions[token] = permissions
}

// carry gives the token of rep (an answer that issues one) the
// permissions of from, when from has known ones.
func (s *Server) carry(from string, rep reply) reply {
	body, _ := rep.body.(map[string]any)
	to, _ := body["access_token"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, known := s.permissions[from]; known && to != "" {
		s.grantLocked(to, p)
	}
	return rep
}

// grantedOf is what a user who ticked grant (the consent form's "grant"
// values; none means all) of asked (comma-joined) granted;
// instagram_business_basic, which every Instagram Login app needs,
// stays.
func grantedOf(asked string, grant []string) string {
	if len(grant) == 0 {
		return asked
	}
	var out []string
	for _, a := range strings.Split(asked, ",") {
		if a == "instagram_business_basic" || slices.Contains(grant, a) {
			out = append(out, a)
		}
	}
	return strings.Join(out, ",")
}
