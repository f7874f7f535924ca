package linkedin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// OptionAuthor, an organization URN (urn:li:organization:N), makes the
// post that organization's instead of the member's. The organization
// must be one the member administers as read when the account was
// connected through Herald (publishers.Request.Organizations); the
// account then needs w_organization_social.
const OptionAuthor = "author"

// OrganizationScopes are the scopes an app adds to the defaults when its
// members post as the organizations they administer:
// w_organization_social to post, r_organization_admin for Herald to read
// which organizations those are at connect (the organizationAcls finder
// takes r_organization_admin or rw_organization_admin; the narrower is
// asked).
var OrganizationScopes = []string{"w_organization_social", "r_organization_admin"}

// aclAdminScopes are the scopes that let the roleAssignee finder answer
// (Organization Access Control by Role, "Permissions").
var aclAdminScopes = []string{"r_organization_admin", "rw_organization_admin"}

// Reading the member's organizations at connect: pages of aclPage, at
// most aclPages of them (MaxOrganizations of tokens.Account).
const (
	aclPage  = 100
	aclPages = 10
)

// authorOf is the post's author: the account's URN, or the organization
// OptionAuthor names, which must be among those the member administers.
func authorOf(req publishers.Request) (author, error) {
	a, err := parseAuthor(req.PlatformUserID)
	if err != nil {
		return author{}, err
	}
	v := strings.TrimSpace(req.Content.Options[OptionAuthor])
	switch {
	case v == "" || v == a.urn:
		return a, nil
	case !orgURN.MatchString(v):
		return author{}, publishers.Permanent(fmt.Errorf("linkedin: option %s %q is not urn:li:organization:<id>", OptionAuthor, wire.Quote(v, 80)))
	case a.org:
		return author{}, publishers.Permanent(fmt.Errorf("linkedin: option %s: the account is an organization, which posts as itself", OptionAuthor))
	case !slices.Contains(req.Organizations, v):
		return author{}, publishers.Permanent(fmt.Errorf("linkedin: option %s: %s is not among the %d organizations the member administered when the account was connected; "+
			"a page admin must make the member an ADMINISTRATOR, then the account must be connected again with %s", OptionAuthor, v, len(req.Organizations), strings.Join(OrganizationScopes, " and ")))
	}
	return author{urn: v, org: true}, nil
}

// needs is the scope a post needs: w_member_social as the member,
// w_organization_social as an organization (the account's own URN or
// OptionAuthor's).
func needs(platformUserID string, c publishers.Content) []publishers.ScopeNeed {
	a := author{urn: platformUserID, org: orgURN.MatchString(platformUserID)}
	if orgURN.MatchString(strings.TrimSpace(c.Options[OptionAuthor])) {
		a.org = true
	}
	return []publishers.ScopeNeed{{a.writeScope()}}
}

// organizationsOf reads the organizations whose ADMINISTRATOR the
// member of tok is, APPROVED, when the grant lets it: the roleAssignee
// finder of /rest/organizationAcls (Organization Access Control by Role,
// "Find a Member's Organization Access Control Information"), a page at
// a time. note says in words why none were read, when the grant asks
// for organizations (w_organization_social) and they could not be.
func (p *Publisher) organizationsOf(ctx context.Context, tok *oauth2.Token) (orgs []string, note string) {
	granted := grantedScopes(tok)
	if !slices.ContainsFunc(aclAdminScopes, func(s string) bool { return slices.Contains(granted, s) }) {
		if slices.Contains(granted, "w_organization_social") {
			return nil, "organizations not read: r_organization_admin not granted, so posts cannot name an organization (option " + OptionAuthor + ")"
		}
		return nil, ""
	}
	orgs, err := p.readOrganizations(ctx, tok)
	switch {
	case errors.Is(err, errTooManyOrganizations):
		return orgs, fmt.Sprintf("organizations: only the first %d read", len(orgs))
	case err != nil:
		return nil, "organizations not read: " + err.Error()
	}
	return orgs, ""
}

var errTooManyOrganizations = errors.New("more organizations than Herald reads")

func (p *Publisher) readOrganizations(ctx context.Context, tok *oauth2.Token) ([]string, error) {
	s, err := newSession(tok, nil)
	if err != nil {
		return nil, err
	}
	var orgs []string
	for page := range aclPages {
		var ans struct {
			Elements []struct {
				Role         string `json:"role"`
				State        string `json:"state"`
				Organization string `json:"organization"`
			} `json:"elements"`
			Paging struct {
				Total *int `json:"total"`
			} `json:"paging"`
		}
		start := page * aclPage
		q := "q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(aclPage)
		if _, err := p.do(ctx, s, call{step: "read the member's organizations", method: http.MethodGet, path: "/rest/organizationAcls", query: q,
			finder: true, out: &ans, scope: "r_organization_admin"}); err != nil {
			return nil, err
		}
		for _, e := range ans.Elements {
			// The filters again: a finder that ignored them must not
			// make an analyst an author.
			if e.Role == "ADMINISTRATOR" && e.State == "APPROVED" && orgURN.MatchString(e.Organization) && !slices.Contains(orgs, e.Organization) {
				orgs = append(orgs, e.Organization)
			}
		}
		if len(ans.Elements) < aclPage || (ans.Paging.Total != nil && start+len(ans.Elements) >= *ans.Paging.Total) {
			return orgs, nil
		}
	}
	return orgs, errTooManyOrganizations
}

// grantedScopes are the scopes of a token answer (LinkedIn joins them
// with commas), or none when it names none.
func grantedScopes(tok *oauth2.Token) []string {
	s, _ := tok.Extra("scope").(string)
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// CheckOrganization says what is wrong with urn as an organization, nil
// when it names one as LinkedIn writes it (urn:li:organization:<digits>),
// the form OptionAuthor and publishers.Request.Organizations take. The
// Vault checks the organizations it stores with it (Tokens.Organization),
// so they are stored only in the form a post can be authored as.
func CheckOrganization(urn string) error {
	if !orgURN.MatchString(urn) {
		return errors.New("not an organization URN, urn:li:organization:<digits>")
	}
	return nil
}
