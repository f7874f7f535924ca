package linkedin_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// posted publishes a text post of author and returns its URN.
func (e env) posted(t *testing.T, author string) string {
	t.Helper()
	res, err := e.p.Publish(context.Background(), request(&memory{}, author, "Launch day"))
	if err != nil {
		t.Fatal(err)
	}
	return res.RemoteID
}

func commentOn(author, urn string) publishers.CommentRequest {
	return publishers.CommentRequest{PostID: "post-1", AccountID: "acct-1", PlatformUserID: author, RemoteID: urn,
		Text: "#launch https://example.com", Token: &oauth2.Token{AccessToken: token}}
}

func TestCommentAsTheAuthor(t *testing.T) {
	for _, author := range []string{member, org} {
		t.Run(author, func(t *testing.T) {
			e := start(t)
			urn := e.posted(t, author)
			c, err := e.p.Comment(context.Background(), commentOn(author, urn))
			if err != nil {
				t.Fatal(err)
			}
			got := e.srv.Comments(urn)
			if len(got) != 1 || got[0].URN != c.ID || got[0].Actor != author || got[0].Text != "#launch https://example.com" {
				t.Fatalf("comments %+v, want one of %s with id %s", got, author, c.ID)
			}
			checkCalls(t, e.srv)
		})
	}
}

func TestCommentRefusals(t *testing.T) {
	e := start(t)
	urn := e.posted(t, org)
	long := commentOn(org, urn)
	long.Text = strings.Repeat("x", linkedin.MaxCommentLength+1)
	if _, err := e.p.Comment(context.Background(), long); publishers.ClassOf(err) != publishers.ClassPermanent {
		t.Errorf("too long: %v, want permanent", err)
	}
	narrow := commentOn(org, urn)
	narrow.Token = &oauth2.Token{AccessToken: e.srv.IssueToken(memberID, "w_member_social")}
	_, err := e.p.Comment(context.Background(), narrow)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "w_organization_social") {
		t.Errorf("without w_organization_social: %v, want permanent naming it", err)
	}
	if n := len(e.srv.Comments(urn)); n != 0 {
		t.Errorf("%d comments, want none", n)
	}
}

func TestLostCommentOfAnOrganizationIsFound(t *testing.T) {
	e := start(t)
	urn := e.posted(t, org)
	e.srv.FailNext(linkedintest.EndpointComment, 1, linkedintest.Fault{Lost: true})
	req := commentOn(org, urn)
	if _, err := e.p.Comment(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("lost answer: %v, want transient", err)
	}
	e.srv.AddComment(urn, member, req.Text) // a reader's copy
	c, found, err := e.p.FindComment(context.Background(), req)
	if err != nil || !found || !strings.Contains(c.ID, urn) {
		t.Fatalf("FindComment = %+v, %v, %v", c, found, err)
	}
	if got := e.srv.Comments(urn); got[0].URN != c.ID {
		t.Errorf("found %s, want the organization's %s", c.ID, got[0].URN)
	}
}

func TestMemberCommentCannotBeLookedUpWithoutReadPermission(t *testing.T) {
	e := start(t)
	urn := e.posted(t, member)
	_, _, err := e.p.FindComment(context.Background(), commentOn(member, urn))
	if !errors.Is(err, publishers.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "r_member_social") {
		t.Fatalf("err = %v, want outcome unknown naming r_member_social", err)
	}
	read := commentOn(member, urn)
	read.Token = &oauth2.Token{AccessToken: e.srv.IssueToken(memberID, linkedintest.OrdinaryScopes, "r_member_social")}
	if _, found, err := e.p.FindComment(context.Background(), read); err != nil || found {
		t.Fatalf("with the permission: %v, %v; want not found", found, err)
	}
}

func TestRemoveIsIdempotent(t *testing.T) {
	e := start(t)
	urn := e.posted(t, org)
	req := publishers.RemoveRequest{PlatformUserID: org, RemoteID: urn, Token: &oauth2.Token{AccessToken: token}}
	e.srv.FailNext(linkedintest.EndpointDeletePost, 1, linkedintest.Fault{Lost: true})
	if err := e.p.Remove(context.Background(), req); err == nil {
		t.Fatal("a lost answer succeeded")
	}
	if ok, err := e.p.Exists(context.Background(), req); err != nil || ok {
		t.Fatalf("Exists after the lost delete = %v, %v; want gone", ok, err)
	}
	if err := e.p.Remove(context.Background(), req); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if e.srv.Deleted() != 1 {
		t.Errorf("%d deletions, want 1", e.srv.Deleted())
	}
	memberPost := e.posted(t, member)
	_, err := e.p.Exists(context.Background(), publishers.RemoveRequest{PlatformUserID: member, RemoteID: memberPost, Token: req.Token})
	if !errors.Is(err, publishers.ErrOutcomeUnknown) {
		t.Errorf("member's Exists without r_member_social: %v, want outcome unknown", err)
	}
	checkCalls(t, e.srv)
}
