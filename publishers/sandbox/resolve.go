package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/publishers"
)

// ResolvesOnly implements publishers.Resolver: a canceled post whose
// outcome is unknown is looked up through its draft, never published.
func (p *Publisher) ResolvesOnly() bool { return true }

// draftState is a draft as the sandbox shows it.
type draftState struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
	URL    string `json:"url"`
}

// resolve says whether draft became a post. No draft checkpoint: no
// post (a draft is created before anything can be published, and a
// draft alone is no post).
func (p *Publisher) resolve(ctx context.Context, token, postID, draft string) (publishers.Result, error) {
	if draft == "" {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("sandbox: post %s: no draft: %w", postID, publishers.ErrNotPublished))
	}
	var out draftState
	if err := p.call(ctx, "look up draft "+draft, http.MethodGet, "/v1/drafts/"+url.PathEscape(draft), token, nil, &out); err != nil {
		return publishers.Result{}, err
	}
	if out.PostID == "" {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("sandbox: draft %s: %w", draft, publishers.ErrNotPublished))
	}
	return publishers.Result{RemoteID: out.PostID, URL: out.URL}, nil
}
