package instagram_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

func (e env) published(t *testing.T) publishers.CommentRequest {
	t.Helper()
	res, err := e.p.Publish(context.Background(), request(&memory{}, "Sunset", image("sunset")))
	if err != nil {
		t.Fatal(err)
	}
	return publishers.CommentRequest{PostID: "post-1", AccountID: "acct-1", PlatformUserID: user, RemoteID: res.RemoteID,
		Text: "#sunset #beach", Token: &oauth2.Token{AccessToken: token}}
}

func TestCommentOnMedia(t *testing.T) {
	e := start(t)
	req := e.published(t)
	c, err := e.p.Comment(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := e.srv.Comments(req.RemoteID)
	if len(got) != 1 || got[0].ID != c.ID || got[0].Text != req.Text || got[0].From != user {
		t.Fatalf("comments %+v, want the account's, id %s", got, c.ID)
	}
	for _, call := range e.srv.Calls() {
		if call.TokenInURL {
			t.Errorf("%s %s sent the token in its URL", call.Method, call.Path)
		}
	}
}

func TestCommentRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e env, req *publishers.CommentRequest)
		want  string
	}{
		{"without the comments permission", func(e env, req *publishers.CommentRequest) {
			req.Token = &oauth2.Token{AccessToken: e.srv.IssueToken(user, "instagram_business_basic instagram_business_content_publish")}
		}, "instagram_business_manage_comments"},
		{"too long", func(_ env, req *publishers.CommentRequest) {
			req.Text = strings.Repeat("#", instagram.MaxCommentLength+1)
		}, "at most 2200"},
		{"no such media", func(_ env, req *publishers.CommentRequest) { req.RemoteID = "18000000000000099" }, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			req := e.published(t)
			media := req.RemoteID
			tc.setup(e, &req)
			_, err := e.p.Comment(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want permanent naming %q", err, tc.want)
			}
			if n := len(e.srv.Comments(media)); n != 0 {
				t.Errorf("%d comments, want none", n)
			}
		})
	}
}

func TestLostCommentIsFound(t *testing.T) {
	e := start(t)
	req := e.published(t)
	e.srv.FailNext(instagramtest.EndpointComment, 1, instagramtest.Fault{Lost: true})
	if _, err := e.p.Comment(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("lost answer: %v, want transient", err)
	}
	for range 60 { // more than a page of followers' comments after ours
		e.srv.AddComment(req.RemoteID, "17841499999999999", req.Text)
	}
	c, found, err := e.p.FindComment(context.Background(), req)
	if err != nil || !found {
		t.Fatalf("FindComment = %v, %v", found, err)
	}
	if got := e.srv.Comments(req.RemoteID); got[0].ID != c.ID {
		t.Errorf("found %s, want the account's %s", c.ID, got[0].ID)
	}
	_, found, err = e.p.FindComment(context.Background(), publishers.CommentRequest{PlatformUserID: user, RemoteID: req.RemoteID, Text: "never posted", Token: req.Token})
	if err != nil || found {
		t.Errorf("a comment never posted: found %v, err %v", found, err)
	}
}

func TestInstagramCannotTakePostsDown(t *testing.T) {
	var pub publishers.Publisher = instagram.New(instagram.Options{})
	if _, ok := pub.(publishers.Remover); ok {
		t.Fatal("the Instagram publisher claims to delete media; the Graph API does not")
	}
	if c := publishers.CapabilitiesOf(pub); c.Remove || c.CommentLimit != instagram.MaxCommentLength {
		t.Errorf("capabilities %+v", c)
	}
}
