package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
)

// First comments and take-downs, through the sandbox's comment and
// delete endpoints (package sandboxserver): what the demo shows.

var (
	_ publishers.Commenter = (*Publisher)(nil)
	_ publishers.Remover   = (*Publisher)(nil)
)

// CommentLimit implements publishers.Commenter.
func (p *Publisher) CommentLimit() int { return sandboxserver.MaxCommentLength }

type comment struct {
	ID        string `json:"id,omitempty"`
	AccountID string `json:"account_id"`
	Text      string `json:"text"`
}

// Comment posts req.Text on the post as its author.
func (p *Publisher) Comment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return publishers.CommentResult{}, err
	}
	if n := utf8.RuneCountInString(req.Text); n == 0 || n > sandboxserver.MaxCommentLength {
		return publishers.CommentResult{}, publishers.Permanent(fmt.Errorf("sandbox: the first comment has %d characters, 1 to %d allowed", n, sandboxserver.MaxCommentLength))
	}
	var out comment
	if err := p.call(ctx, "first comment on "+req.RemoteID, http.MethodPost, "/v1/posts/"+url.PathEscape(req.RemoteID)+"/comments", token,
		comment{AccountID: req.AccountID, Text: req.Text}, &out); err != nil {
		return publishers.CommentResult{}, err
	}
	if out.ID == "" {
		return publishers.CommentResult{}, publishers.Transient(errors.New("sandbox: first comment: answer has no comment id"))
	}
	return publishers.CommentResult{ID: out.ID}, nil
}

// FindComment lists the post's comments for the author's req.Text.
func (p *Publisher) FindComment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, bool, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return publishers.CommentResult{}, false, err
	}
	var out struct {
		Comments []comment `json:"comments"`
	}
	if err := p.call(ctx, "look for the first comment on "+req.RemoteID, http.MethodGet, "/v1/posts/"+url.PathEscape(req.RemoteID)+"/comments", token, nil, &out); err != nil {
		return publishers.CommentResult{}, false, err
	}
	for _, c := range out.Comments {
		if c.AccountID == req.AccountID && c.Text == req.Text {
			return publishers.CommentResult{ID: c.ID}, true, nil
		}
	}
	return publishers.CommentResult{}, false, nil
}

// Remove deletes the post; one the sandbox no longer has is gone
// already.
func (p *Publisher) Remove(ctx context.Context, req publishers.RemoveRequest) error {
	token, err := accessToken(req.Token)
	if err != nil {
		return err
	}
	err = p.call(ctx, "delete post "+req.RemoteID, http.MethodDelete, "/v1/posts/"+url.PathEscape(req.RemoteID), token, nil, nil)
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	return err
}

// Exists looks the post up.
func (p *Publisher) Exists(ctx context.Context, req publishers.RemoveRequest) (bool, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return false, err
	}
	var out publishReply
	err = p.call(ctx, "look post "+req.RemoteID+" up", http.MethodGet, "/v1/posts/"+url.PathEscape(req.RemoteID), token, nil, &out)
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}
