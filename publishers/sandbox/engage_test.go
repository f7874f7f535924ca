package sandbox_test

import (
	"context"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
)

func TestCommentFindAndRemove(t *testing.T) {
	srv, p := start(t)
	res, err := p.Publish(context.Background(), request("post-1", &publisherstest.Checkpoints{}))
	if err != nil {
		t.Fatal(err)
	}
	tok := &oauth2.Token{AccessToken: token}
	req := publishers.CommentRequest{PostID: "post-1", AccountID: "acct-1", RemoteID: res.RemoteID, Text: "#first", Token: tok}
	srv.FailRef(sandboxserver.CommentRef("post-1"), 1, sandboxserver.Fault{LoseResponse: true})
	if _, err := p.Comment(context.Background(), req); err == nil {
		t.Fatal("a lost answer succeeded")
	}
	c, found, err := p.FindComment(context.Background(), req)
	if err != nil || !found {
		t.Fatalf("FindComment = %v, %v", found, err)
	}
	if got := srv.Comments(res.RemoteID); len(got) != 1 || got[0].ID != c.ID {
		t.Fatalf("comments %+v, want one, %s", got, c.ID)
	}
	rm := publishers.RemoveRequest{PostID: "post-1", AccountID: "acct-1", RemoteID: res.RemoteID, Token: tok}
	if err := p.Remove(context.Background(), rm); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Exists(context.Background(), rm); err != nil || ok {
		t.Fatalf("Exists after Remove = %v, %v", ok, err)
	}
	if err := p.Remove(context.Background(), rm); err != nil {
		t.Fatalf("removing a removed post: %v", err)
	}
	if srv.Deleted() != 1 {
		t.Errorf("%d deletions, want 1", srv.Deleted())
	}
}
