package linkedin_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// identify runs the platform's Identify on a token of member granted
// scopes, as the connect flow does after the code exchange.
func identify(t *testing.T, e env, member string, scopes ...string) publishers.Identity {
	t.Helper()
	p := linkedin.Platform(linkedin.Options{BaseURL: e.srv.URL(), Version: version, Now: e.clk.Now},
		linkedin.OAuth{TokenURL: e.srv.TokenURL(), ClientID: "cid", ClientSecret: "secret"})
	tok := (&oauth2.Token{AccessToken: e.srv.IssueToken(member, scopes...)}).WithExtra(map[string]any{"scope": strings.Join(scopes, ",")})
	id, err := p.Authorization.Identify(context.Background(), http.DefaultClient, tok)
	if err != nil {
		t.Fatalf("Identify: %v", err)
	}
	return id
}

// At connect, a member who granted r_organization_admin has the
// organizations they administer read, every page of them; the roles
// that do not let them post, and roles not approved, are left out.
func TestConnectReadsTheOrganizationsTheMemberAdministers(t *testing.T) {
	e := start(t)
	var want []string
	for i := 1; i <= 130; i++ {
		org := fmt.Sprintf("urn:li:organization:%d", 1000+i)
		e.srv.SetOrganizationRole("ada", org, linkedintest.RoleAdministrator, linkedintest.StateApproved)
		want = append(want, org)
	}
	e.srv.SetOrganizationRole("ada", "urn:li:organization:7", linkedintest.RoleAnalyst, linkedintest.StateApproved)
	e.srv.SetOrganizationRole("ada", "urn:li:organization:8", linkedintest.RoleAdministrator, linkedintest.StateRequested)
	e.srv.SetOrganizationRole("bob", "urn:li:organization:9", linkedintest.RoleAdministrator, linkedintest.StateApproved)
	id := identify(t, e, "ada", "openid", "profile", "w_member_social", "w_organization_social", "r_organization_admin")
	if id.PlatformUserID != "urn:li:person:ada" || !slices.Equal(id.Organizations, want) || id.Note != "" {
		t.Fatalf("identity %s, %d organizations (%v), note %q", id.PlatformUserID, len(id.Organizations), id.Organizations[:min(3, len(id.Organizations))], id.Note)
	}
	var pages int
	for _, c := range e.srv.Calls() {
		if c.Endpoint != linkedintest.EndpointOrganizationAcls {
			continue
		}
		pages++
		if c.Version != version || c.Protocol != "2.0.0" || !c.Finder || c.Query.Get("role") != "ADMINISTRATOR" || c.Query.Get("state") != "APPROVED" || c.Status != 200 {
			t.Errorf("finder call %+v", c)
		}
	}
	if pages != 2 {
		t.Errorf("%d pages read, want 2", pages)
	}
}

// Without an organization admin permission nothing is asked of the
// finder; when posting as an organization was granted without it, the
// note says why no organization was read; a refused finder is a note,
// not a failed connect.
func TestConnectWithoutTheOrganizationsFinder(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		fault  bool
		note   string
	}{
		{"member scopes only", []string{"openid", "profile", "w_member_social"}, false, ""},
		{"posting as organizations without reading them", []string{"openid", "profile", "w_organization_social"}, false, "r_organization_admin not granted"},
		{"the finder refuses", []string{"openid", "profile", "w_organization_social", "r_organization_admin"}, true, "read the member's organizations: permission r_organization_admin refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetOrganizationRole("ada", "urn:li:organization:1", linkedintest.RoleAdministrator, linkedintest.StateApproved)
			if tt.fault {
				e.srv.FailNext(linkedintest.EndpointOrganizationAcls, 1, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED", ServiceErrorCode: 100, Message: "Not enough permissions to access: organizationAcls.FINDER-roleAssignee"})
			}
			id := identify(t, e, "ada", tt.scopes...)
			if len(id.Organizations) != 0 || (tt.note == "") != (id.Note == "") || !strings.Contains(id.Note, tt.note) {
				t.Fatalf("organizations %v, note %q, want %q", id.Organizations, id.Note, tt.note)
			}
			asked := slices.ContainsFunc(e.srv.Calls(), func(c linkedintest.Call) bool { return c.Endpoint == linkedintest.EndpointOrganizationAcls })
			if asked != tt.fault {
				t.Errorf("finder asked: %v", asked)
			}
		})
	}
}

// A post names an organization the member administers (option author)
// and goes out as that organization; one not among the account's
// organizations, or named by an organization account, fails before any
// call.
func TestPostAsAnOrganization(t *testing.T) {
	e := start(t)
	e.srv.SetOrganizationRole("8675309abc", org, linkedintest.RoleAdministrator, linkedintest.StateApproved)
	tok := e.srv.IssueToken("8675309abc", "w_member_social w_organization_social")
	req := func(account string, orgs []string, author string) publishers.Request {
		r := request(&memory{}, account, "Hello from the page")
		r.Token = &oauth2.Token{AccessToken: tok}
		r.Organizations = orgs
		r.Content.Options = map[string]string{linkedin.OptionAuthor: author}
		return r
	}
	res, err := e.p.Publish(context.Background(), req(member, []string{"urn:li:organization:1", org}, org))
	if err != nil {
		t.Fatal(err)
	}
	posts := e.srv.Posts()
	if len(posts) != 1 || posts[0].Author != org || posts[0].URN != res.RemoteID {
		t.Fatalf("posts %+v", posts)
	}
	for name, r := range map[string]publishers.Request{
		"not administered":         req(member, []string{"urn:li:organization:1"}, org),
		"none read at connect":     req(member, nil, org),
		"not an organization":      req(member, []string{"urn:li:person:x"}, "urn:li:person:x"),
		"an organization's author": req(org, []string{"urn:li:organization:1"}, "urn:li:organization:1"),
	} {
		calls := len(e.srv.Calls())
		_, err := e.p.Publish(context.Background(), r)
		if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "option author") {
			t.Errorf("%s: %v, want a permanent error naming the option", name, err)
		}
		if len(e.srv.Calls()) != calls {
			t.Errorf("%s: LinkedIn was called", name)
		}
	}
}

// The scope a post needs follows its author.
func TestNeeds(t *testing.T) {
	p := linkedin.Platform(linkedin.Options{}, linkedin.OAuth{})
	tests := []struct {
		account, author, want string
	}{
		{member, "", "w_member_social"},
		{member, org, "w_organization_social"},
		{org, "", "w_organization_social"},
		{member, "urn:li:person:x", "w_member_social"},
	}
	for _, tt := range tests {
		got := p.Needs(tt.account, publishers.Content{Options: map[string]string{linkedin.OptionAuthor: tt.author}})
		if len(got) != 1 || got[0].String() != tt.want {
			t.Errorf("%s as %q: %v, want %s", tt.account, tt.author, got, tt.want)
		}
	}
}
