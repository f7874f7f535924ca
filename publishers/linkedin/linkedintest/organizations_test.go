package linkedintest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// getACLs calls the roleAssignee finder with token and query.
func getACLs(t *testing.T, s *linkedintest.Server, token, query string, finder bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+"/rest/organizationAcls?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("LinkedIn-Version", "202607")
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	if finder {
		req.Header.Set("X-RestLi-Method", "FINDER")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]any
	json.NewDecoder(resp.Body).Decode(&ans)
	return resp.StatusCode, ans
}

func organizations(ans map[string]any) []string {
	var out []string
	els, _ := ans["elements"].([]any)
	for _, e := range els {
		m := e.(map[string]any)
		out = append(out, fmt.Sprint(m["organization"], " ", m["role"], " ", m["state"]))
	}
	return out
}

// The roleAssignee finder answers the token's member's roles, filtered
// by role and state, a page at a time, and only to a token with an
// organization admin permission.
func TestOrganizationAclsFinder(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetOrganizationRole("ada", "urn:li:organization:1", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	s.SetOrganizationRole("ada", "urn:li:organization:2", linkedintest.RoleAnalyst, linkedintest.StateApproved)
	s.SetOrganizationRole("ada", "urn:li:organization:3", linkedintest.RoleAdministrator, linkedintest.StateRequested)
	s.SetOrganizationRole("ada", "urn:li:organization:4", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	s.SetOrganizationRole("bob", "urn:li:organization:5", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	admin := s.IssueToken("ada", "r_organization_admin")
	tests := []struct {
		name   string
		token  string
		query  string
		finder bool
		status int
		want   string
	}{
		{"all roles", admin, "q=roleAssignee", true, 200,
			"urn:li:organization:1 ADMINISTRATOR APPROVED|urn:li:organization:2 ANALYST APPROVED|urn:li:organization:3 ADMINISTRATOR REQUESTED|urn:li:organization:4 ADMINISTRATOR APPROVED"},
		{"administrators, approved", admin, "q=roleAssignee&role=ADMINISTRATOR&state=APPROVED", true, 200,
			"urn:li:organization:1 ADMINISTRATOR APPROVED|urn:li:organization:4 ADMINISTRATOR APPROVED"},
		{"a page", admin, "q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=1&count=1", true, 200,
			"urn:li:organization:4 ADMINISTRATOR APPROVED"},
		{"past the end", admin, "q=roleAssignee&start=9", true, 200, ""},
		{"rw_organization_admin", s.IssueToken("ada", "rw_organization_admin"), "q=roleAssignee&role=ADMINISTRATOR&state=APPROVED", true, 200,
			"urn:li:organization:1 ADMINISTRATOR APPROVED|urn:li:organization:4 ADMINISTRATOR APPROVED"},
		{"w_organization_social is not enough", s.IssueToken("ada", "w_organization_social"), "q=roleAssignee", true, 403, ""},
		{"a member's own scopes are not enough", s.IssueToken("ada", "openid profile w_member_social"), "q=roleAssignee", true, 403, ""},
		{"a token without a member", "tok", "q=roleAssignee", true, 403, ""},
		{"not a FINDER", admin, "q=roleAssignee", false, 400, ""},
		{"another finder", admin, "q=organization&organization=urn%3Ali%3Aorganization%3A1", true, 400, ""},
		{"unknown role", admin, "q=roleAssignee&role=OWNER", true, 400, ""},
		{"unknown state", admin, "q=roleAssignee&state=GRANTED", true, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ans := getACLs(t, s, tt.token, tt.query, tt.finder)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %v", st, tt.status, ans)
			}
			if got := strings.Join(organizations(ans), "|"); st == 200 && got != tt.want {
				t.Errorf("elements %s, want %s", got, tt.want)
			}
		})
	}
	_, ans := getACLs(t, s, admin, "q=roleAssignee&count=2", true)
	if p, _ := ans["paging"].(map[string]any); p["total"] != float64(4) || p["count"] != float64(2) || p["start"] != float64(0) {
		t.Errorf("paging %v", ans["paging"])
	}
	_, ans = getACLs(t, s, admin, "q=roleAssignee", true)
	if p, _ := ans["paging"].(map[string]any); p["count"] != float64(10) {
		t.Errorf("default count: paging %v", ans["paging"])
	}
}

// A consent's member posts as an organization only where a page role
// allows it.
func TestOrganizationPostNeedsARole(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetOrganizationRole("ada", "urn:li:organization:1", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	s.SetOrganizationRole("ada", "urn:li:organization:2", linkedintest.RoleAnalyst, linkedintest.StateApproved)
	s.SetOrganizationRole("ada", "urn:li:organization:3", linkedintest.RoleContentAdministrator, linkedintest.StateRevoked)
	tok := s.IssueToken("ada", "w_member_social w_organization_social")
	for org, want := range map[string]int{"1": 201, "2": 403, "3": 403} {
		body := fmt.Sprintf(`{"author":"urn:li:organization:%s","commentary":"hi %s","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED"}`, org, org)
		req, _ := http.NewRequest("POST", s.URL()+"/rest/posts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("LinkedIn-Version", "202607")
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("organization %s: %d, want %d", org, resp.StatusCode, want)
		}
	}
}

// A consent's token carries the scopes granted, no more: a member who
// granted only the member scopes cannot post as an organization.
func TestConsentTokenCarriesItsScopes(t *testing.T) {
	s := linkedintest.New()
	defer s.Close()
	s.SetClient("cid", "secret")
	s.SetOrganizationRole("ada", "urn:li:organization:1", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	redirect := "https://herald.example/v1/oauth/linkedin/callback"
	q := url.Values{"client_id": {"cid"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid profile w_member_social"}, "state": {"st"}}
	code := fakeconsent.Code(t, s.AuthURL(), q, url.Values{"member": {"ada"}})
	_, ans := fakeconsent.Exchange(t, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "client_id": {"cid"}, "client_secret": {"secret"}})
	tok, _ := ans["access_token"].(string)
	for author, want := range map[string]int{"urn:li:person:ada": 201, "urn:li:organization:1": 403} {
		body := fmt.Sprintf(`{"author":%q,"commentary":"hi","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED"}`, author)
		req, _ := http.NewRequest("POST", s.URL()+"/rest/posts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("LinkedIn-Version", "202607")
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", author, resp.StatusCode, want)
		}
	}
}
