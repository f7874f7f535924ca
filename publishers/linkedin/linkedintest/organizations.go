package linkedintest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Organization Access Control by Role (learn.microsoft.com/linkedin/
// marketing/community-management/organizations/
// organization-access-control-by-role), the roleAssignee finder only:
//
//	GET /rest/organizationAcls?q=roleAssignee[&role=][&state=][&start=][&count=]
//	    -> {elements[{roleAssignee, role, state, organization}], paging{start, count, total, links}}
//
// The member is the token's: a consent's token names one (SetOrganizationRole
// gives it roles); any other token has none.

// EndpointOrganizationAcls is GET /rest/organizationAcls.
const EndpointOrganizationAcls Endpoint = "organization_acls"

// Roles and states of an organization ACL ("Organization Roles", "Role
// State").
const (
	RoleAdministrator        = "ADMINISTRATOR"
	RoleContentAdministrator = "CONTENT_ADMINISTRATOR"
	RoleAnalyst              = "ANALYST"
	StateApproved            = "APPROVED"
	StateRequested           = "REQUESTED"
	StateRevoked             = "REVOKED"
)

// orgACL is one role of one member on one organization.
type orgACL struct {
	member, organization, role, state string
}

var (
	orgURN     = regexp.MustCompile(`^urn:li:organization:[0-9]{1,20}$`)
	aclRoles   = []string{RoleAdministrator, "DIRECT_SPONSORED_CONTENT_POSTER", "RECRUITING_POSTER", "LEAD_CAPTURE_ADMINISTRATOR", "LEAD_GEN_FORMS_MANAGER", RoleAnalyst, "CURATOR", RoleContentAdministrator}
	aclStates  = []string{StateApproved, "REJECTED", StateRequested, StateRevoked}
	postsRoles = []string{RoleAdministrator, RoleContentAdministrator, "DIRECT_SPONSORED_CONTENT_POSTER"}
)

// SetOrganizationRole gives member (a consent's member id, as the
// consent page names it) role in state on organization (a URN), in place
// of the role it had there.
func (s *Server) SetOrganizationRole(member, organization, role, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if a.member == member && a.organization == organization && a.role == role {
			a.state = state
			return
		}
	}
	s.acls = append(s.acls, &orgACL{member: member, organization: organization, role: role, state: state})
}

// memberOf is the member a consent's token was issued to, or "".
func memberOf(token string) string {
	m, ok := strings.CutPrefix(token, consentToken)
	if i := strings.LastIndex(m, "."); ok && i > 0 {
		return m[:i]
	}
	return ""
}

// organizationAcls is the roleAssignee finder.
func (s *Server) organizationAcls(r *http.Request, _ []byte) reply {
	q := r.URL.Query()
	// "Find a Member's Organization Access Control Information": a
	// FINDER (Rest.li 2.0), q=roleAssignee; the organization finder is
	// not served here.
	if q.Get("q") != "roleAssignee" {
		return badRequest("unsupported finder %q", q.Get("q"))
	}
	if r.Header.Get("X-RestLi-Method") != "FINDER" {
		return badRequest("X-RestLi-Method: FINDER is required")
	}
	// "Permissions": rw_organization_admin or r_organization_admin; a
	// token with neither (w_organization_social alone included) is
	// refused as any call without its permission is (Error Handling,
	// "403 Forbidden").
	token, _ := tokenOf(r)
	s.mu.Lock()
	allowed := s.hasScope(token, "r_organization_admin") || s.hasScope(token, "rw_organization_admin")
	s.mu.Unlock()
	if !allowed {
		return fail(http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: organizationAcls.FINDER-roleAssignee")
	}
	// "Limit results to specific roles / role states": role and state
	// take one of the documented enums.
	role, state := q.Get("role"), q.Get("state")
	if role != "" && !slices.Contains(aclRoles, role) {
		return badRequest("role: not a role type")
	}
	if state != "" && !slices.Contains(aclStates, state) {
		return badRequest("state: not a role state")
	}
	// Pagination (API Concepts, "Pagination"): start (default 0) and
	// count (default 10), the page and the total in paging.
	count, start := 10, 0
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("count: not a count")
		}
		count = min(n, 100)
	}
	if v := q.Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("start: not a start")
		}
		start = n
	}
	member := memberOf(token)
	s.mu.Lock()
	var mine []map[string]any
	for _, a := range s.acls {
		if member != "" && a.member == member && (role == "" || a.role == role) && (state == "" || a.state == state) {
			mine = append(mine, map[string]any{
				"roleAssignee": "urn:li:person:" + a.member, "role": a.role, "state": a.state, "organization": a.organization,
			})
		}
	}
	s.mu.Unlock()
	page := []map[string]any{}
	if start < len(mine) {
		page = mine[start:min(start+count, len(mine))]
	}
	return answer(http.StatusOK, map[string]any{
		"elements": page,
		"paging":   map[string]any{"start": start, "count": count, "total": len(mine), "links": []any{}},
	})
}

// needRole refuses a post on behalf of an organization by a consent's
// member who holds no approved role there that lets them post (Posts
// API: an organization's post needs the member's page role; Organization
// Roles: ADMINISTRATOR, CONTENT_ADMINISTRATOR, DIRECT_SPONSORED_CONTENT_POSTER),
// as LinkedIn refuses it (403 ACCESS_DENIED). Tokens that name no member
// (the tests' own) are let through.
func (s *Server) needRole(r *http.Request, author, resource string) (reply, bool) {
	token, _ := tokenOf(r)
	member := memberOf(token)
	if member == "" || !orgURN.MatchString(author) {
		return reply{}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if a.member == member && a.organization == author && a.state == StateApproved && slices.Contains(postsRoles, a.role) {
			return reply{}, true
		}
	}
	return fail(http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: "+resource), false
}

// IssueToken returns an access token of member that carries exactly
// scopes, as the code exchange of a consent that granted them: userinfo
// names the member, and the organization finder and posts know its
// roles.
func (s *Server) IssueToken(member string, scopes ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := fmt.Sprintf("%s%s.%d", consentToken, member, s.id())
	var set []string
	for _, sc := range scopes {
		set = append(set, strings.Fields(sc)...)
	}
	s.grantLocked(at, set)
	return at
}
