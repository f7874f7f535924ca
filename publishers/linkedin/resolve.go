package linkedin

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
)

var _ publishers.Resolver = (*Publisher)(nil)

// ResolvesOnly implements publishers.Resolver: a post canceled while its
// outcome was unknown is looked up the way a lost create answer is,
// never sent.
func (p *Publisher) ResolvesOnly() bool { return true }

// resolve answers a ResolveOnly request: the post an earlier attempt
// created, or ErrNotPublished. Without CheckpointCreating the post was
// never sent (it is saved before the create call). A lookup that may
// still find the post (LinkedIn lists a post after a moment) asks to look
// again, as Publish does; one that cannot look (the 403 of a member
// without r_member_social) leaves the outcome unknown.
func (pub *publication) resolve(ctx context.Context) (publishers.Result, error) {
	if urn := pub.cp.Get(CheckpointPost); urn != "" {
		return result(urn), nil
	}
	since := pub.cp.Get(CheckpointCreating)
	if since == "" {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("linkedin: the post was never sent: %w", publishers.ErrNotPublished))
	}
	// Every upload finished before the create call: content resumes
	// from the checkpoints and uploads nothing.
	content, err := pub.content(ctx)
	if err != nil {
		return publishers.Result{}, err
	}
	res, found, err := pub.lookup(ctx, since, pub.body(content))
	if err != nil || found {
		return res, err
	}
	return publishers.Result{}, publishers.Permanent(fmt.Errorf("linkedin: the post is not listed after %d lookups: %w", maxLookups, publishers.ErrNotPublished))
}
