package instagramtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// Permissions of tokens: a token carries the permissions granted when
// it was issued, from then on. A consent's carries those the user kept
// (the code exchange's "permissions"), the long-lived token its
// short-lived one's, a refreshed token the one it renews; IssueToken's
// those the test names. Tokens the server did not issue (any other
// non-empty string works as a token) carry OrdinaryScopes.

// OrdinaryScopes are the permissions of a token the server did not
// issue, and of IssueToken's unless it names others: publishing,
// insights and comments, under both logins' names (Instagram Login:
// instagram_business_*; Facebook Login: instagram_* with
// pages_read_engagement).
const OrdinaryScopes = "instagram_business_basic instagram_business_content_publish instagram_business_manage_insights instagram_business_manage_comments " +
	"instagram_basic instagram_content_publish instagram_manage_insights instagram_manage_comments pages_read_engagement"

// endpointPermissions are the permissions each endpoint takes, any one
// of them. Creating and publishing media: Instagram Platform, Content
// Publishing, "Requirements" (instagram_business_content_publish with
// Instagram Login, instagram_content_publish with Facebook Login).
// Commenting: IG Media Comments, "Requirements"
// (instagram_business_manage_comments with Instagram Login,
// instagram_manage_comments with Facebook Login). Reading comments
// takes those or the basic permission.
var endpointPermissions = map[Endpoint][]string{
	EndpointCreate:   {"instagram_business_content_publish", "instagram_content_publish"},
	EndpointPublish:  {"instagram_business_content_publish", "instagram_content_publish"},
	EndpointComment:  {"instagram_business_manage_comments", "instagram_manage_comments"},
	EndpointComments: {"instagram_business_manage_comments", "instagram_manage_comments", "instagram_business_basic", "instagram_basic"},
}

// IssueToken returns a new long-lived Instagram User token of user (an
// IG user id) carrying permissions (names separated by spaces or
// commas, in one or more arguments), or OrdinaryScopes when none are
// named, as the end of a consent would: a test that wants a token
// without some permission issues it so.
func (s *Server) IssueToken(user string, permissions ...string) string {
	perms := strings.Fields(strings.ReplaceAll(strings.Join(permissions, " "), ",", " "))
	if len(perms) == 0 {
		perms = strings.Fields(OrdinaryScopes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	tok := fmt.Sprintf("%s%s.%d", longToken, user, s.next)
	s.grantLocked(tok, strings.Join(perms, ","))
	return tok
}

// permissionRefused is the Graph API's answer to a token without the
// permission ep takes (Graph API, Error Handling, and Error Codes: code
// 10, "Permission is either not granted or has been removed";
// "Application does not have permission for this action"), or nil.
func (s *Server) permissionRefused(ep Endpoint, token string) *reply {
	need := endpointPermissions[ep]
	if len(need) == 0 {
		return nil
	}
	s.mu.Lock()
	granted := s.permissionsLocked(token)
	s.mu.Unlock()
	if slices.ContainsFunc(need, func(p string) bool { return slices.Contains(granted, p) }) {
		return nil
	}
	rep := fail(http.StatusForbidden, 10, 0, "(#10) Application does not have permission for this action")
	return &rep
}

// permissionsLocked is what token carries; callers hold mu.
func (s *Server) permissionsLocked(token string) []string {
	if p, known := s.permissions[token]; known {
		return strings.Split(p, ",")
	}
	return strings.Fields(OrdinaryScopes)
}

// grantLocked records what token may do, for good: a token is issued
// once; callers hold mu.
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
	return strings.Join(fakeconsent.Kept(strings.Split(asked, ","), grant, "instagram_business_basic"), ",")
}
