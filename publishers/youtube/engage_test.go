package youtube_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// published uploads one video and returns it and a comment request on
// it, with a token the account granted youtube.force-ssl too.
func (e *env) published(t *testing.T) (youtubetest.Video, publishers.CommentRequest) {
	t.Helper()
	e.tok = e.srv.IssueToken("acct-1", youtubetest.Scope, youtubetest.ScopeForceSSL)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Fatal(err)
	}
	v := e.onlyVideo(t)
	return v, publishers.CommentRequest{
		PostID: "post-1", AccountID: "acct-1", PlatformUserID: v.ChannelID, RemoteID: v.ID,
		Text: "#herald https://example.com/more", Token: &oauth2.Token{AccessToken: e.tok.AccessToken},
	}
}

func TestCommentPostsOnceAndSpendsUnits(t *testing.T) {
	db := redistest.New(t)
	e := setup(t, func(o *youtube.Options) { o.Redis, o.Project, o.UnitsPerDay = db.Client, "proj-1", 1000 })
	v, req := e.published(t)
	c, err := e.p.Comment(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := e.srv.Comments(v.ID)
	if len(got) != 1 || got[0].ID != c.ID || got[0].Text != req.Text || got[0].AuthorChannelID != v.ChannelID {
		t.Fatalf("comments %+v, want one of the channel's with id %s", got, c.ID)
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Units != 50 {
		t.Errorf("units spent %d, want 50 (commentThreads.insert)", u.Units)
	}
	found, ok, err := e.p.FindComment(context.Background(), req)
	if err != nil || !ok || found.ID != c.ID {
		t.Errorf("FindComment = %+v, %v, %v; want the comment", found, ok, err)
	}
}

func TestCommentRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env, req *publishers.CommentRequest)
		want  string
	}{
		{"no force-ssl scope", func(e *env, req *publishers.CommentRequest) {
			req.Token = &oauth2.Token{AccessToken: e.srv.IssueToken("acct-1", youtubetest.Scope).AccessToken}
		}, "youtube.force-ssl"},
		{"too long", func(_ *env, req *publishers.CommentRequest) {
			req.Text = strings.Repeat("x", youtube.MaxCommentLength+1)
		}, "at most 10000"},
		{"comments disabled", func(e *env, _ *publishers.CommentRequest) {
			e.srv.FailNext(youtubetest.OpCommentThreadsInsert, 1, youtubetest.Fault{Reason: "commentsDisabled"})
		}, "commentsDisabled"},
		{"video gone", func(_ *env, req *publishers.CommentRequest) { req.RemoteID = "gone0000000" }, "videoNotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			v, req := e.published(t)
			tc.setup(e, &req)
			_, err := e.p.Comment(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want permanent naming %q", err, tc.want)
			}
			if n := len(e.srv.Comments(v.ID)); n != 0 {
				t.Errorf("%d comments, want none", n)
			}
		})
	}
}

func TestLostCommentAnswerIsFoundNotPostedAgain(t *testing.T) {
	e := setup(t)
	v, req := e.published(t)
	e.srv.FailNext(youtubetest.OpCommentThreadsInsert, 1, youtubetest.Fault{Lost: true})
	if _, err := e.p.Comment(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("err = %v, want transient", err)
	}
	e.srv.AddComment(v.ID, "UCsomeoneelse00000000000", req.Text) // a viewer's copy is not ours
	c, ok, err := e.p.FindComment(context.Background(), req)
	if err != nil || !ok {
		t.Fatalf("FindComment = %v, %v; want the lost comment", ok, err)
	}
	if got := e.srv.Comments(v.ID); len(got) != 2 || got[0].ID != c.ID {
		t.Errorf("found %s, want the channel's comment %+v", c.ID, got)
	}
}

func TestRemoveDeletesAndIsSafeToRepeat(t *testing.T) {
	db := redistest.New(t)
	e := setup(t, func(o *youtube.Options) { o.Redis, o.Project, o.UnitsPerDay = db.Client, "proj-1", 1000 })
	v, c := e.published(t)
	req := publishers.RemoveRequest{PostID: "post-1", AccountID: "acct-1", PlatformUserID: v.ChannelID, RemoteID: v.ID, Token: c.Token}
	if ok, err := e.p.Exists(context.Background(), req); err != nil || !ok {
		t.Fatalf("Exists before = %v, %v", ok, err)
	}
	e.srv.FailNext(youtubetest.OpVideosDelete, 1, youtubetest.Fault{Lost: true})
	if err := e.p.Remove(context.Background(), req); err == nil {
		t.Fatal("Remove with a lost answer succeeded")
	}
	if ok, err := e.p.Exists(context.Background(), req); err != nil || ok {
		t.Fatalf("Exists after the lost delete = %v, %v; want gone", ok, err)
	}
	if err := e.p.Remove(context.Background(), req); err != nil {
		t.Fatalf("Remove of a video already gone: %v", err)
	}
	if e.srv.Deleted() != 1 {
		t.Errorf("%d deletions, want 1", e.srv.Deleted())
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Units != 1+100+1 {
		t.Errorf("units %d, want 102 (two lists, two deletes)", u.Units)
	}
}

func TestRemoveRefusals(t *testing.T) {
	e := setup(t)
	v, c := e.published(t)
	req := publishers.RemoveRequest{PlatformUserID: v.ChannelID, RemoteID: v.ID, Token: c.Token}
	req.Token = &oauth2.Token{AccessToken: e.srv.IssueToken("acct-1", youtubetest.ScopePrefix+"youtube.upload").AccessToken}
	err := e.p.Remove(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), youtube.ForceSSLScope) {
		t.Fatalf("err = %v, want permanent naming the scope", err)
	}
	other := e.srv.IssueToken("acct-2", youtubetest.Scope)
	req.Token = &oauth2.Token{AccessToken: other.AccessToken}
	var apiErr *youtube.APIError
	if err := e.p.Remove(context.Background(), req); !errors.As(err, &apiErr) || apiErr.Reason != "forbidden" {
		t.Fatalf("another channel's delete: %v, want 403 forbidden", err)
	}
	if len(e.srv.Videos()) != 1 {
		t.Error("the video was deleted")
	}
}
