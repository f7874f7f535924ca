package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
)

// First comments: POST /{ig-media-id}/comments?message=... (IG Media
// Comments reference, "Creating"), as the account that published the
// media, and GET /{ig-media-id}/comments to find one whose answer was
// lost ("Reading"). Both need instagram_business_manage_comments
// (Instagram Login) or instagram_manage_comments (Facebook Login), which
// publishing does not: an app that wants first comments connects its
// accounts with CommentScopes added.
//
// Taking a post down is not offered: the IG Media reference lists
// Deleting as "This operation is not supported" (children of albums
// alike), so Publisher is no publishers.Remover and Herald refuses
// take-downs of Instagram posts, naming the platform.

// CommentScopes are the scopes first comments add, for an app that
// names its scopes when it connects (Instagram Login).
var CommentScopes = []string{"instagram_business_manage_comments"}

// MaxCommentLength is the longest comment Instagram takes, in
// characters: the 2,200 of a caption, which its help pages give for
// comments too.
const MaxCommentLength = 2200

var _ publishers.Commenter = (*Publisher)(nil)

// CommentLimit implements publishers.Commenter.
func (p *Publisher) CommentLimit() int { return MaxCommentLength }

// Comment posts req.Text on the media req.RemoteID.
func (p *Publisher) Comment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, error) {
	switch n := utf8.RuneCountInString(req.Text); {
	case n == 0:
		return publishers.CommentResult{}, publishers.Permanent(errors.New("instagram: the first comment is empty"))
	case n > MaxCommentLength:
		return publishers.CommentResult{}, publishers.Permanent(fmt.Errorf("instagram: the first comment has %d characters, Instagram takes at most %d", n, MaxCommentLength))
	case !numeric(req.RemoteID):
		return publishers.CommentResult{}, publishers.Permanent(fmt.Errorf("instagram: %q is not a media id", req.RemoteID))
	}
	s, err := p.newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	step := "first comment on media " + req.RemoteID
	if err := p.graph(ctx, s, step, http.MethodPost, "/"+req.RemoteID+"/comments", url.Values{"message": {req.Text}}, &out); err != nil {
		return publishers.CommentResult{}, permissionRefused(step, err)
	}
	if out.ID == "" {
		return publishers.CommentResult{}, publishers.Transient(fmt.Errorf("instagram: %s: the answer names no comment", step))
	}
	return publishers.CommentResult{ID: out.ID}, nil
}

// FindComment reads the media's comments (three pages of 50 at most)
// for the account's comment req.Text.
func (p *Publisher) FindComment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, bool, error) {
	if !numeric(req.RemoteID) {
		return publishers.CommentResult{}, false, publishers.Permanent(fmt.Errorf("instagram: %q is not a media id", req.RemoteID))
	}
	s, err := p.newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, false, err
	}
	step := "look for the first comment on media " + req.RemoteID
	params := url.Values{"fields": {"id,text,timestamp,from"}, "limit": {"50"}}
	for range 3 {
		var page struct {
			Data []struct {
				ID        string `json:"id"`
				Text      string `json:"text"`
				Timestamp string `json:"timestamp"`
				From      struct {
					ID string `json:"id"`
				} `json:"from"`
			} `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := p.graph(ctx, s, step, http.MethodGet, "/"+req.RemoteID+"/comments", params, &page); err != nil {
			return publishers.CommentResult{}, false, permissionRefused(step, err)
		}
		for _, c := range page.Data {
			if c.Text != req.Text || (c.From.ID != "" && c.From.ID != req.PlatformUserID) {
				continue
			}
			if at, err := time.Parse("2006-01-02T15:04:05-0700", c.Timestamp); err == nil && !req.Since.IsZero() && at.Before(req.Since.Add(-2*time.Minute)) {
				continue
			}
			return publishers.CommentResult{ID: c.ID}, true, nil
		}
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			break
		}
		params.Set("after", page.Paging.Cursors.After)
	}
	return publishers.CommentResult{}, false, nil
}

// permissionRefused makes a refused permission (code 10, or 200-299)
// final for the comment, naming what the account lacks: publishing
// works, so the account needs no reconnection for its posts.
func permissionRefused(step string, err error) error {
	if e := graphError(err); e != nil && (e.Code == 10 || e.Code >= 200 && e.Code <= 299) {
		return publishers.Permanent(fmt.Errorf("instagram: %s: the account was connected without the comments permission (%s, or instagram_manage_comments with Facebook Login): connect it again with it: %w", step, CommentScopes[0], e))
	}
	return err
}

func numeric(id string) bool {
	if id == "" || len(id) > 40 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
