package publisherstest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/heraldhq/herald/publishers"
)

// CheckpointDraft is the checkpoint under which Platform's publisher
// saves the draft it created.
const CheckpointDraft = "draft"

// Steps of Platform's publish, as its Hook hears them.
const (
	StepCreate  = "create"  // before the draft is created
	StepSave    = "save"    // the draft exists; before it is checkpointed
	StepPublish = "publish" // before the draft is published
	// StepPublished: the post exists at the platform; an error the Hook
	// returns here is an answer lost on its way back.
	StepPublished = "published"
)

// Platform is a publisher over an in-memory platform with no idempotency
// of its own, unlike the sandbox: every create makes a new draft and
// every publish of a draft makes a new post, so only the caller's
// checkpoints and locks stand between a retry and a duplicate. Tests of
// the worker's guards use it: a guard deleted shows as a second post.
//
// Publish creates a draft (unless the checkpoint names one), saves it as
// CheckpointDraft, then publishes it. With Request.ResolveOnly it only
// looks for a post of the checkpointed draft.
type Platform struct {
	// Hook, if set, runs before each step with the step's name and the
	// request; it may block (to hold an attempt inside the platform) and
	// an error it returns ends the attempt with that error.
	Hook func(ctx context.Context, step string, req publishers.Request) error

	mu     sync.Mutex
	drafts int
	posts  map[string][]string // post id -> remote ids
}

var _ publishers.Resolver = (*Platform)(nil)

// ResolvesOnly implements publishers.Resolver.
func (p *Platform) ResolvesOnly() bool { return true }

// Publish implements publishers.Publisher.
func (p *Platform) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	draft := req.Checkpoints.Get(CheckpointDraft)
	if req.ResolveOnly {
		return p.resolve(req.PostID, draft)
	}
	if draft == "" {
		if err := p.hook(ctx, StepCreate, req); err != nil {
			return publishers.Result{}, err
		}
		p.mu.Lock()
		p.drafts++
		draft = fmt.Sprintf("draft-%d", p.drafts)
		p.mu.Unlock()
		if err := p.hook(ctx, StepSave, req); err != nil {
			return publishers.Result{}, err
		}
		if err := req.Checkpoints.Save(ctx, CheckpointDraft, draft); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("platform: save draft %s: %w", draft, err))
		}
	}
	if err := p.hook(ctx, StepPublish, req); err != nil {
		return publishers.Result{}, err
	}
	p.mu.Lock()
	if p.posts == nil {
		p.posts = map[string][]string{}
	}
	id := fmt.Sprintf("%s/post-%d", draft, len(p.posts[req.PostID])+1)
	p.posts[req.PostID] = append(p.posts[req.PostID], id)
	p.mu.Unlock()
	if err := p.hook(ctx, StepPublished, req); err != nil {
		return publishers.Result{}, err
	}
	return result(id), nil
}

func result(id string) publishers.Result {
	return publishers.Result{RemoteID: id, URL: "https://platform.test/" + id}
}

// resolve finds the post made of draft, if any.
func (p *Platform) resolve(postID, draft string) (publishers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range p.posts[postID] {
		if draft != "" && strings.HasPrefix(id, draft+"/") {
			return result(id), nil
		}
	}
	return publishers.Result{}, publishers.Permanent(fmt.Errorf("platform: post %s: %w", postID, publishers.ErrNotPublished))
}

func (p *Platform) hook(ctx context.Context, step string, req publishers.Request) error {
	if p.Hook == nil {
		return nil
	}
	return p.Hook(ctx, step, req)
}

// Analytics implements publishers.Publisher; the platform has none.
func (p *Platform) Analytics(context.Context, publishers.AnalyticsRequest) (publishers.Analytics, error) {
	return publishers.Analytics{}, nil
}

// Posts returns the remote ids of post id's posts at the platform, in the
// order they were made.
func (p *Platform) Posts(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posts[id]...)
}

// Drafts counts the drafts created.
func (p *Platform) Drafts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.drafts
}
