package publishers

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// What a platform can do with a post once it is published, beside
// Publish: add the author's first comment (Commenter) and take the post
// down (Remover). Both are optional: a platform whose API cannot (TikTok
// cannot comment nor delete through its API; Instagram's Graph API
// cannot delete media) does not implement them, and Herald refuses the
// request at once, naming the platform (Capabilities).
//
// Each call makes one change at the platform, and its answer can be
// lost. So each comes with a read that tells, after a lost answer,
// whether the change was made: FindComment reads the post's comments,
// Exists looks the post up. The worker keeps the checkpoints (jobs);
// these methods keep none.

// Commenter is a Publisher that can add the author's comment to a
// post it published: the "first comment" schedulers put hashtags and
// links in.
type Commenter interface {
	Publisher
	// CommentLimit is the longest comment the platform takes, in
	// characters (Unicode code points).
	CommentLimit() int
	// Comment posts req.Text as the post's author's comment on
	// req.RemoteID and returns the comment's id, or a classified error.
	// It posts every time it is called: the caller looks first
	// (FindComment) when an earlier call's answer was lost.
	Comment(ctx context.Context, req CommentRequest) (CommentResult, error)
	// FindComment looks among the comments of req.RemoteID for the
	// author's comment req.Text made since req.Since: the comment of a
	// call whose answer was lost. found is false when there is none. An
	// error wrapping ErrOutcomeUnknown says the platform does not let
	// the account read the comments (a permission it lacks): whether
	// the comment exists cannot be learned.
	FindComment(ctx context.Context, req CommentRequest) (c CommentResult, found bool, err error)
}

// CommentRequest is a first comment on a published post.
type CommentRequest struct {
	PostID    string
	AccountID string
	// PlatformUserID is as in Request: the author (a channel, an IG
	// user, a person or organization URN) the comment is made as.
	PlatformUserID string
	// RemoteID is the published post's id at the platform.
	RemoteID string
	// Text is the comment, as the product app wrote it.
	Text string
	// Token and ForceRefresh are as in Request. Never log the token.
	Token        *oauth2.Token
	ForceRefresh func(ctx context.Context) (*oauth2.Token, error)
	// Since is when the first try at the comment was sent (FindComment
	// ignores older comments; zero: any).
	Since time.Time
}

// CommentResult is a posted comment.
type CommentResult struct {
	// ID is the platform's id of the comment.
	ID string
}

// Remover is a Publisher that can take down a post it published.
type Remover interface {
	Publisher
	// Remove deletes the published post req.RemoteID at the platform.
	// A post that is already gone is no error: deleting it again after
	// a lost answer must end the same way.
	Remove(ctx context.Context, req RemoveRequest) error
	// Exists looks req.RemoteID up: whether the platform still has the
	// post, to settle a Remove whose answer was lost. An error wrapping
	// ErrOutcomeUnknown says the account may not look (the caller then
	// calls Remove again, which is safe).
	Exists(ctx context.Context, req RemoveRequest) (bool, error)
}

// RemoveRequest names a published post to take down.
type RemoveRequest struct {
	PostID, AccountID, PlatformUserID string
	// RemoteID is the published post's id at the platform.
	RemoteID string
	// Token and ForceRefresh are as in Request.
	Token        *oauth2.Token
	ForceRefresh func(ctx context.Context) (*oauth2.Token, error)
}

// Capabilities says what a platform's publisher can do beyond
// publishing, for checking a request before it is queued.
type Capabilities struct {
	// CommentLimit is the longest first comment, in characters; 0 means
	// the platform takes no first comment.
	CommentLimit int
	// Remove says a published post can be taken down.
	Remove bool
}

// CapabilitiesOf reads what pub can do from the optional interfaces it
// implements. A nil publisher can do nothing.
func CapabilitiesOf(pub Publisher) Capabilities {
	var c Capabilities
	if cm, ok := pub.(Commenter); ok {
		c.CommentLimit = cm.CommentLimit()
	}
	_, c.Remove = pub.(Remover)
	return c
}

// CapabilitiesByName maps each platform of ps to what its publisher can
// do: what jobs.Client checks first comments and take-downs against.
func CapabilitiesByName(ps []Platform) map[string]Capabilities {
	m := make(map[string]Capabilities, len(ps))
	for _, p := range ps {
		m[p.Name] = CapabilitiesOf(p.Publisher)
	}
	return m
}
