package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/tokens"
)

// linkedInBody is a valid POST /v1/accounts body of a LinkedIn member's
// account handing in orgs (JSON) as its organizations; orgs "" leaves
// the field out.
func linkedInBody(id, platform, platformUserID, access, orgs string) string {
	b := fmt.Sprintf(`{"account_id":%q,"platform":%q,"platform_user_id":%q,"scopes":["w_member_social","w_organization_social"],
		"access_token":%q,"expiry":%q`, id, platform, platformUserID, access, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if orgs != "" {
		b += `,"organizations":` + orgs
	}
	return b + "}"
}

// orgList is n distinct organization URNs as a JSON array.
func orgList(n int) string {
	orgs := make([]string, n)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("urn:li:organization:%d", i+1)
	}
	b, _ := json.Marshal(orgs)
	return string(b)
}

// TestConnectOrganizationsRefused: organizations handed in that the
// consent would never store are refused, naming the field and what is
// wrong, and nothing is stored.
func TestConnectOrganizationsRefused(t *testing.T) {
	f := newFixture(t)
	const member = "urn:li:person:ada"
	tests := []struct {
		name, platform, platformUserID, orgs string
		field, problem                       string
	}{
		{"another platform", "youtube", "UC-1", `["urn:li:organization:1"]`, "organizations", `only linkedin accounts have organizations, not "youtube" accounts`},
		{"an organization's account", "linkedin", "urn:li:organization:9", `["urn:li:organization:1"]`, "organizations", "the account is an organization"},
		{"too many", "linkedin", member, orgList(tokens.MaxOrganizations + 1), "organizations", fmt.Sprintf("%d organizations, at most %d", tokens.MaxOrganizations+1, tokens.MaxOrganizations)},
		{"a person", "linkedin", member, `["urn:li:organization:1","urn:li:person:bob"]`, "organizations[1]", `"urn:li:person:bob" is not an organization URN`},
		{"not digits", "linkedin", member, `["urn:li:organization:acme"]`, "organizations[0]", "urn:li:organization:<digits>"},
		{"a bare id", "linkedin", member, `["12345"]`, "organizations[0]", "not an organization URN"},
		{"empty", "linkedin", member, `[""]`, "organizations[0]", "not an organization URN"},
		{"white space", "linkedin", member, `[" urn:li:organization:1"]`, "organizations[0]", "not an organization URN"},
		{"twice", "linkedin", member, `["urn:li:organization:1","urn:li:organization:2","urn:li:organization:1"]`, "organizations[2]", "urn:li:organization:1 is organizations[0] again"},
		{"not a list", "linkedin", member, `"urn:li:organization:1"`, "organizations", "must be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do("POST", "/v1/accounts", linkedInBody("acct-li", tt.platform, tt.platformUserID, accessTok, tt.orgs))
			expect(t, r, http.StatusBadRequest)
			e := r.error(t)
			i := slices.IndexFunc(e.Fields, func(fp fieldProblem) bool { return fp.Field == tt.field })
			if i < 0 && !strings.Contains(e.Message, tt.field) {
				t.Fatalf("field %s not named: %s", tt.field, r.body)
			}
			if got := e.Message; i >= 0 {
				got = e.Fields[i].Problem
				if !strings.Contains(got, tt.problem) {
					t.Errorf("%s: %q, want it to say %q", tt.field, got, tt.problem)
				}
			}
		})
	}
	expect(t, f.do("GET", "/v1/accounts/acct-li", ""), http.StatusNotFound)
}

// TestConnectWithOrganizationsPostsAsOne: a LinkedIn account handed in
// with its organizations is stored with them as Herald's consent stores
// them (the Vault's Info, which the worker hands the publisher), shown
// in the answer, and a post authored as one of them publishes as that
// organization through the LinkedIn publisher. An account without them
// cannot post as the organization.
func TestConnectWithOrganizationsPostsAsOne(t *testing.T) {
	f := newFixture(t)
	li := linkedintest.New()
	t.Cleanup(li.Close)
	const org = "urn:li:organization:8675309"
	li.SetOrganizationRole("ada", org, linkedintest.RoleAdministrator, linkedintest.StateApproved)
	tok := li.IssueToken("ada", "w_member_social w_organization_social")
	f.startWorker(func(reg *publishers.Registry) {
		reg.Register("linkedin", linkedin.New(linkedin.Options{BaseURL: li.URL(), Version: "202607"}))
	})

	orgs := []string{"urn:li:organization:1", org}
	r := f.do("POST", "/v1/accounts", linkedInBody("acct-li", "linkedin", "urn:li:person:ada", tok, `["urn:li:organization:1","`+org+`"]`))
	expect(t, r, http.StatusCreated)
	var info tokens.Info
	r.json(t, &info)
	if !slices.Equal(info.Organizations, orgs) {
		t.Errorf("answered organizations %v, want %v", info.Organizations, orgs)
	}
	stored, err := f.vault.Info(context.Background(), "acct-li")
	if err != nil || !slices.Equal(stored.Organizations, orgs) || stored.PlatformUserID != "urn:li:person:ada" {
		t.Fatalf("Vault.Info: %+v, %v", stored, err)
	}
	// Without organizations: the same member's other account.
	expect(t, f.do("POST", "/v1/accounts", linkedInBody("acct-li-plain", "linkedin", "urn:li:person:ada", tok, "")), http.StatusCreated)

	post := func(id, account, author string) jobs.PostStatus {
		t.Helper()
		body := fmt.Sprintf(`{"post_id":%q,"account_id":%q,"platform":"linkedin","publish_at":%q,
			"content":{"text":"Hello from the page","options":{"author":%q}}}`, id, account, time.Now().UTC().Format(time.RFC3339Nano), author)
		expect(t, f.do("POST", "/v1/posts", body), http.StatusCreated)
		var st jobs.PostStatus
		eventually.True(t, 15*time.Second, func() bool {
			f.do("GET", "/v1/posts/"+id, "").json(t, &st)
			return st.State.Final()
		}, "post %s done", id)
		return st
	}
	if st := post("p-org", "acct-li", org); st.State != jobs.StatePublished {
		t.Fatalf("post as the organization: %+v", st)
	}
	posts := li.Posts()
	if len(posts) != 1 || posts[0].Author != org {
		t.Fatalf("LinkedIn holds %+v, want one post by %s", posts, org)
	}
	if st := post("p-plain", "acct-li-plain", org); st.State != jobs.StateFailed || !strings.Contains(st.Reason, "not among the 0 organizations") {
		t.Errorf("post as the organization from an account without it: %+v", st)
	}
	// Herald takes the app's word for the organizations; LinkedIn refuses
	// a page the member has no role on.
	if st := post("p-norole", "acct-li", "urn:li:organization:1"); st.State != jobs.StateFailed || st.FailureClass != "permanent" {
		t.Errorf("post as an organization the member has no role on: %+v", st)
	}
	if n := len(li.Posts()); n != 1 {
		t.Errorf("LinkedIn holds %d posts, want 1", n)
	}
	// Connecting again replaces them: left out, the account has none.
	expect(t, f.do("POST", "/v1/accounts", linkedInBody("acct-li", "linkedin", "urn:li:person:ada", tok, "")), http.StatusOK)
	if stored, err := f.vault.Info(context.Background(), "acct-li"); err != nil || len(stored.Organizations) != 0 {
		t.Errorf("after connecting again without organizations: %v, %v", stored.Organizations, err)
	}
	f.checkNoSecrets()
}
