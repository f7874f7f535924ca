package linkedin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// First comments and take-downs, as the author the account posts as
// (the member, or the organization it administers).
//
//   - Comment: "Create a Comment" (Comments API), POST
//     /rest/socialActions/{post URN}/comments {actor, object, message.text};
//     w_member_social or w_organization_social, as for posting.
//   - FindComment: "Get Comments on Shares", which needs r_member_social
//     for a member's post (closed: most apps lack it) or
//     r_organization_social for an organization's. Without it, a lost
//     comment answer cannot be settled (ErrOutcomeUnknown).
//   - Remove: "Delete Posts" (Posts API), DELETE /rest/posts/{URN}: 204,
//     also for a post already deleted.
//   - Exists: "Retrieve Posts by URN" (same read permission as above).

// MaxCommentLength is the longest comment LinkedIn takes, in characters
// (its comment box stops at 1,250; the Comments API gives no limit).
const MaxCommentLength = 1250

var (
	_ publishers.Commenter = (*Publisher)(nil)
	_ publishers.Remover   = (*Publisher)(nil)
)

// CommentLimit implements publishers.Commenter.
func (p *Publisher) CommentLimit() int { return MaxCommentLength }

// commentBody is a comment as the Comments API takes and gives it.
type commentBody struct {
	ID      string      `json:"id,omitempty"`
	URN     string      `json:"$URN,omitempty"`
	Actor   string      `json:"actor"`
	Object  string      `json:"object"`
	Message commentText `json:"message"`
	Created *struct {
		Time int64 `json:"time"`
	} `json:"created,omitempty"`
}

type commentText struct {
	Text string `json:"text"`
}

// Comment posts req.Text on the post as its author.
func (p *Publisher) Comment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, error) {
	a, s, err := p.engage(req.PlatformUserID, req.RemoteID, req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, err
	}
	switch n := utf8.RuneCountInString(req.Text); {
	case n == 0:
		return publishers.CommentResult{}, publishers.Permanent(errors.New("linkedin: the first comment is empty"))
	case n > MaxCommentLength:
		return publishers.CommentResult{}, publishers.Permanent(fmt.Errorf("linkedin: the first comment has %d characters, LinkedIn takes at most %d", n, MaxCommentLength))
	}
	var out commentBody
	h, err := p.do(ctx, s, call{step: "first comment on " + req.RemoteID, method: http.MethodPost,
		path: "/rest/socialActions/" + escapeURN(req.RemoteID) + "/comments",
		body: commentBody{Actor: a.urn, Object: req.RemoteID, Message: commentText{Text: req.Text}}, out: &out, scope: a.writeScope()})
	if err != nil {
		return publishers.CommentResult{}, err
	}
	id := cmp.Or(h.Get("X-RestLi-Id"), out.URN, out.ID)
	if id == "" {
		return publishers.CommentResult{}, publishers.Transient(errors.New("linkedin: first comment: the answer names no comment"))
	}
	return publishers.CommentResult{ID: id}, nil
}

// FindComment reads the post's newest comments (three pages of 50 at
// most) for the author's comment req.Text.
func (p *Publisher) FindComment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, bool, error) {
	a, s, err := p.engage(req.PlatformUserID, req.RemoteID, req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, false, err
	}
	const pageSize = 50
	for start := 0; start < 3*pageSize; start += pageSize {
		var page struct {
			Elements []commentBody `json:"elements"`
		}
		_, err := p.do(ctx, s, call{step: "look for the first comment on " + req.RemoteID, method: http.MethodGet,
			path:  "/rest/socialActions/" + escapeURN(req.RemoteID) + "/comments",
			query: "count=" + strconv.Itoa(pageSize) + "&start=" + strconv.Itoa(start), out: &page, scope: a.readScope()})
		if e := apiError(err); e != nil && e.Status == http.StatusForbidden {
			return publishers.CommentResult{}, false, publishers.Transient(fmt.Errorf("linkedin: %w: the answer to the first comment was lost and LinkedIn lets the account read comments only with %s: %w", publishers.ErrOutcomeUnknown, a.readScope(), e))
		}
		if err != nil {
			return publishers.CommentResult{}, false, err
		}
		for _, c := range page.Elements {
			if c.Actor != a.urn || c.Message.Text != req.Text {
				continue
			}
			if c.Created != nil && !req.Since.IsZero() && time.UnixMilli(c.Created.Time).Before(req.Since.Add(-lookupSlack)) {
				continue
			}
			return publishers.CommentResult{ID: cmp.Or(c.URN, c.ID)}, true, nil
		}
		if len(page.Elements) < pageSize {
			break
		}
	}
	return publishers.CommentResult{}, false, nil
}

// Remove deletes the post; a post already deleted answers 204 too.
func (p *Publisher) Remove(ctx context.Context, req publishers.RemoveRequest) error {
	a, s, err := p.engage(req.PlatformUserID, req.RemoteID, req.Token, req.ForceRefresh)
	if err != nil {
		return err
	}
	_, err = p.do(ctx, s, call{step: "delete post " + req.RemoteID, method: http.MethodDelete,
		path: "/rest/posts/" + escapeURN(req.RemoteID), scope: a.writeScope()})
	if e := apiError(err); e != nil && e.Status == http.StatusNotFound {
		return nil // gone already
	}
	return err
}

// Exists reads the post by its URN: 404 once deleted. Without the read
// permission the answer cannot be known (ErrOutcomeUnknown); deleting
// again is safe.
func (p *Publisher) Exists(ctx context.Context, req publishers.RemoveRequest) (bool, error) {
	a, s, err := p.engage(req.PlatformUserID, req.RemoteID, req.Token, req.ForceRefresh)
	if err != nil {
		return false, err
	}
	var raw json.RawMessage
	_, err = p.do(ctx, s, call{step: "look post " + req.RemoteID + " up", method: http.MethodGet,
		path: "/rest/posts/" + escapeURN(req.RemoteID), out: &raw, scope: a.readScope()})
	switch e := apiError(err); {
	case err == nil:
		return true, nil
	case e != nil && e.Status == http.StatusNotFound:
		return false, nil
	case e != nil && e.Status == http.StatusForbidden:
		return false, publishers.Transient(fmt.Errorf("linkedin: %w: reading the post needs %s: %w", publishers.ErrOutcomeUnknown, a.readScope(), e))
	}
	return false, err
}

// engage checks the author and the post, and opens a session.
func (p *Publisher) engage(platformUserID, post string, tok *oauth2.Token, refresh func(context.Context) (*oauth2.Token, error)) (author, *session, error) {
	a, err := parseAuthor(platformUserID)
	if err != nil {
		return a, nil, err
	}
	if !postURN.MatchString(post) {
		return a, nil, publishers.Permanent(fmt.Errorf("linkedin: %q is not a post URN", post))
	}
	s, err := newSession(tok, refresh)
	return a, s, err
}
