package youtube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
)

// First comments and take-downs. Both need a scope publishing does not:
// commentThreads.insert takes only youtube.force-ssl (CommentThreads:
// insert, "Authorization"), videos.delete youtube, youtube.force-ssl or
// youtubepartner (Videos: delete, "Authorization"). Herald's default
// consent asks neither (a post needs only youtube.upload); an app that
// uses them connects its YouTube accounts with EngageScopes added.

// ForceSSLScope lets the account comment and delete its videos.
const ForceSSLScope = "https://www.googleapis.com/auth/youtube.force-ssl"

// EngageScopes are the scopes first comments and take-downs add to
// PublishScopes, for an app that names its scopes when it connects.
var EngageScopes = []string{ForceSSLScope}

// MaxCommentLength is the longest comment YouTube takes, in characters
// (its comment box stops at 10,000; the Data API reference gives no
// other limit for snippet.topLevelComment.snippet.textOriginal).
const MaxCommentLength = 10_000

// Quota costs of the calls below, per the reference pages' "Quota
// impact".
const (
	costCommentInsert = 50 // CommentThreads: insert
	costCommentList   = 1  // CommentThreads: list
	costVideoDelete   = 50 // Videos: delete
)

// findPages bounds how many pages of comments FindComment reads.
const findPages = 3

// findSlack widens FindComment's window for clocks that differ.
const findSlack = 2 * time.Minute

var (
	_ publishers.Commenter = (*Publisher)(nil)
	_ publishers.Remover   = (*Publisher)(nil)
)

// CommentLimit implements publishers.Commenter.
func (p *Publisher) CommentLimit() int { return MaxCommentLength }

// Comment adds req.Text as a top-level comment of the channel on its
// video req.RemoteID (commentThreads.insert, 50 units of the project's
// quota, counted before the call).
func (p *Publisher) Comment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, error) {
	if err := checkComment(req); err != nil {
		return publishers.CommentResult{}, err
	}
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, err
	}
	if err := p.quota.spendUnits(ctx, p.now(), costCommentInsert, "first comment"); err != nil {
		return publishers.CommentResult{}, err
	}
	step := "first comment on " + req.RemoteID
	var id string
	err = p.call(ctx, a, step, func(ctx context.Context, svc *youtube.Service) error {
		res, err := svc.CommentThreads.Insert([]string{"snippet"}, &youtube.CommentThread{Snippet: &youtube.CommentThreadSnippet{
			ChannelId: req.PlatformUserID, VideoId: req.RemoteID,
			TopLevelComment: &youtube.Comment{Snippet: &youtube.CommentSnippet{TextOriginal: req.Text}},
		}}).Context(ctx).Do()
		p.spentOnQuotaError(ctx, err)
		if err == nil {
			id = res.Id
		}
		return err
	})
	if err != nil {
		return publishers.CommentResult{}, scopeRefused(step, err)
	}
	return publishers.CommentResult{ID: id}, nil
}

// FindComment reads the video's newest comment threads (commentThreads.list,
// 1 unit a page, at most findPages pages) for the channel's comment
// req.Text.
func (p *Publisher) FindComment(ctx context.Context, req publishers.CommentRequest) (publishers.CommentResult, bool, error) {
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.CommentResult{}, false, err
	}
	step := "look for the first comment on " + req.RemoteID
	page := ""
	for range findPages {
		if err := p.quota.spendUnits(ctx, p.now(), costCommentList, "look for the first comment"); err != nil {
			return publishers.CommentResult{}, false, err
		}
		var list *youtube.CommentThreadListResponse
		err := p.call(ctx, a, step, func(ctx context.Context, svc *youtube.Service) error {
			c := svc.CommentThreads.List([]string{"snippet"}).VideoId(req.RemoteID).Order("time").MaxResults(100).TextFormat("plainText").Context(ctx)
			if page != "" {
				c = c.PageToken(page)
			}
			var err error
			list, err = c.Do()
			p.spentOnQuotaError(ctx, err)
			return err
		})
		if err != nil {
			return publishers.CommentResult{}, false, scopeRefused(step, err)
		}
		for _, t := range list.Items {
			if ours(t, req) {
				return publishers.CommentResult{ID: t.Id}, true, nil
			}
		}
		if list.NextPageToken == "" {
			break
		}
		page = list.NextPageToken
	}
	return publishers.CommentResult{}, false, nil
}

// ours says whether thread is the channel's comment req.Text, made since
// req.Since.
func ours(t *youtube.CommentThread, req publishers.CommentRequest) bool {
	if t.Snippet == nil || t.Snippet.TopLevelComment == nil || t.Snippet.TopLevelComment.Snippet == nil {
		return false
	}
	c := t.Snippet.TopLevelComment.Snippet
	if c.AuthorChannelId == nil || c.AuthorChannelId.Value != req.PlatformUserID {
		return false
	}
	if c.TextOriginal != req.Text && c.TextDisplay != req.Text {
		return false
	}
	if at, err := time.Parse(time.RFC3339, c.PublishedAt); err == nil && !req.Since.IsZero() && at.Before(req.Since.Add(-findSlack)) {
		return false
	}
	return true
}

func checkComment(req publishers.CommentRequest) error {
	switch n := utf8.RuneCountInString(req.Text); {
	case n == 0:
		return publishers.Permanent(errors.New("youtube: the first comment is empty"))
	case n > MaxCommentLength:
		return publishers.Permanent(fmt.Errorf("youtube: the first comment has %d characters, YouTube takes at most %d", n, MaxCommentLength))
	case req.RemoteID == "" || req.PlatformUserID == "":
		return publishers.Permanent(errors.New("youtube: a comment needs the video and the channel"))
	}
	return nil
}

// Remove deletes the video (videos.delete, 50 units). A video YouTube no
// longer has (404 videoNotFound) is gone already: that is success.
func (p *Publisher) Remove(ctx context.Context, req publishers.RemoveRequest) error {
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return err
	}
	if err := p.quota.spendUnits(ctx, p.now(), costVideoDelete, "take the video down"); err != nil {
		return err
	}
	step := "delete video " + req.RemoteID
	err = p.call(ctx, a, step, func(ctx context.Context, svc *youtube.Service) error {
		err := svc.Videos.Delete(req.RemoteID).Context(ctx).Do()
		p.spentOnQuotaError(ctx, err)
		return err
	})
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	return scopeRefused(step, err)
}

// Exists looks the video up (videos.list by id, 1 unit).
func (p *Publisher) Exists(ctx context.Context, req publishers.RemoveRequest) (bool, error) {
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return false, err
	}
	if err := p.quota.spendUnits(ctx, p.now(), costList, "look the video up"); err != nil {
		return false, err
	}
	found := false
	err = p.call(ctx, a, "look video "+req.RemoteID+" up", func(ctx context.Context, svc *youtube.Service) error {
		res, err := svc.Videos.List([]string{"id"}).Id(req.RemoteID).Context(ctx).Do()
		p.spentOnQuotaError(ctx, err)
		if err == nil {
			found = len(res.Items) > 0
		}
		return err
	})
	return found, err
}

// scopeRefused makes a 403 insufficientPermissions (the token lacks
// youtube.force-ssl) permanent, with what to do about it: the account
// works for publishing, so it is not a reauth of the account.
func scopeRefused(step string, err error) error {
	var e *APIError
	if errors.As(err, &e) && e.Reason == "insufficientPermissions" {
		return publishers.Permanent(fmt.Errorf("youtube: %s: the account was connected without %s, which comments and take-downs need: connect it again with that scope: %w", step, ForceSSLScope, e))
	}
	return err
}
