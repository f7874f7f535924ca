package publisherstest

import (
	"context"
	"fmt"
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
)

// Platform is a publisher over an in-memory platform with no idempotency
// of its own, unlike the sandbox: every create makes a new draft and
// every publish of a draft makes a new post, so only the caller's
// checkpoints and locks stand between a retry and a duplicate. Tests of
// the worker's guards use it: a guard deleted shows as a second post.
//
// Publish creates a draft (unless the checkpoint names one), saves it as
// CheckpointDraft, then publishes it.
type Platform struct {
	// Hook, if set, runs before each step with the step's name and the
	// request; it may block (to hold an attempt inside the platform) and
	// an error it returns ends the attempt with that error.
	Hook func(ctx context.Context, step string, req publishers.Request) error

	mu     sync.Mutex
	drafts int
	posts  map[string][]string // post id -> remote ids
}

var _ publishers.Publisher = (*Platform)(nil)

// Publish implements publishers.Publisher.
func (p *Platform) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	draft := req.Checkpoints.Get(CheckpointDraft)
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
	defer p.mu.Unlock()
	if p.posts == nil {
		p.posts = map[string][]string{}
	}
	id := fmt.Sprintf("%s/post-%d", draft, len(p.posts[req.PostID])+1)
	p.posts[req.PostID] = append(p.posts[req.PostID], id)
	return publishers.Result{RemoteID: id, URL: "https://platform.test/" + id}, nil
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
