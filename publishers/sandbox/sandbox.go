package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// CheckpointDraft names the checkpoint holding the id of the post's draft
// on the platform.
const CheckpointDraft = "draft"

// DefaultTimeout bounds each HTTP call of a Publisher made with a nil
// client.
const DefaultTimeout = 30 * time.Second

// Publisher publishes to a sandbox platform. It is safe for concurrent
// use.
type Publisher struct {
	base   string
	client *http.Client
	now    func() time.Time // reads HTTP-date Retry-After headers
}

var _ publishers.Resolver = (*Publisher)(nil)

// New returns a publisher for the platform at baseURL, such as
// sandboxserver.Server.URL(). A nil client means one with DefaultTimeout.
func New(baseURL string, client *http.Client) *Publisher {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Publisher{base: strings.TrimRight(baseURL, "/"), client: client, now: time.Now}
}

type draftRequest struct {
	AccountID string             `json:"account_id"`
	Ref       string             `json:"ref"`
	Title     string             `json:"title,omitempty"`
	Text      string             `json:"text,omitempty"`
	Media     []publishers.Media `json:"media,omitempty"`
}

type draftReply struct {
	ID string `json:"id"`
}

type publishReply struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Created bool   `json:"created"`
}

// Publish creates a draft of req.Content, unless an earlier attempt saved
// one, saves its id in req.Checkpoints (which must not be nil), and
// publishes it.
func (p *Publisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return publishers.Result{}, err
	}
	if req.Checkpoints == nil {
		// Without them a retry would create a second draft, and so a
		// second post.
		return publishers.Result{}, publishers.Permanent(errors.New("sandbox: request has no checkpoints"))
	}
	draft := req.Checkpoints.Get(CheckpointDraft)
	if req.ResolveOnly {
		return p.resolve(ctx, token, req.PostID, draft)
	}
	if draft == "" {
		in := draftRequest{
			AccountID: req.AccountID, Ref: req.PostID,
			Title: req.Content.Title, Text: req.Content.Text, Media: req.Content.Media,
		}
		var out draftReply
		if err := p.call(ctx, "create draft", http.MethodPost, "/v1/drafts", token, in, &out); err != nil {
			return publishers.Result{}, err
		}
		if out.ID == "" {
			return publishers.Result{}, publishers.Transient(errors.New("sandbox: create draft: answer has no draft id"))
		}
		draft = out.ID
		if err := req.Checkpoints.Save(ctx, CheckpointDraft, draft); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("sandbox: save draft %s: %w", draft, err))
		}
	}
	step := "publish draft " + draft
	var out publishReply
	if err := p.call(ctx, step, http.MethodPost, "/v1/drafts/"+url.PathEscape(draft)+"/publish", token, nil, &out); err != nil {
		return publishers.Result{}, err
	}
	if out.ID == "" {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("sandbox: %s: answer has no post id", step))
	}
	return publishers.Result{RemoteID: out.ID, URL: out.URL}, nil
}

// accessToken is the token to send, or a Reauth error when there is none.
func accessToken(t *oauth2.Token) (string, error) {
	if t == nil || t.AccessToken == "" {
		return "", publishers.Reauth(errors.New("sandbox: no access token"))
	}
	return t.AccessToken, nil
}
