package tiktok

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldhq/herald/publishers"
)

var _ publishers.Resolver = (*Publisher)(nil)

// ResolvesOnly implements publishers.Resolver: a post canceled while its
// outcome was unknown is looked up through its publish id's status,
// never sent.
func (p *Publisher) ResolvesOnly() bool { return true }

// resolve answers a ResolveOnly request (a saved CheckpointPost was
// answered before). Without a publish id nothing was started, unless a
// PULL_FROM_URL init was sent and its answer lost: TikTok may be
// publishing it and nothing can ask (the outcome stays unknown). With
// one, the status says: FAILED, or an upload that never arrived whole, is
// no post; anything else is TikTok's to publish and cannot be stopped, so
// it is waited for as Publish does, with reads only.
func (pub *publication) resolve(ctx context.Context) (publishers.Result, error) {
	id := pub.get(CheckpointPublishID)
	if id == "" {
		if pub.get(CheckpointPullSent) != "" {
			return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: %w: a PULL_FROM_URL init was sent and its answer lost, so its publish id is unknown and its status cannot be fetched", publishers.ErrOutcomeUnknown))
		}
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: no publish was started: %w", publishers.ErrNotPublished))
	}
	st, err := pub.status(ctx, id)
	if err != nil {
		return publishers.Result{}, err
	}
	switch st.Status {
	case StatusFailed:
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: publish %s failed: %w", id, publishers.ErrNotPublished))
	case StatusProcessingUpload:
		if up, uploading := pub.savedUpload(); uploading && up.done < up.c.count && st.UploadedBytes < up.c.size {
			// TikTok publishes nothing of a video it never got whole,
			// and nothing more is sent.
			return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: publish %s: upload incomplete: %w", id, publishers.ErrNotPublished))
		}
	}
	res, err := pub.finish(ctx, id, st)
	if errors.Is(err, errStartOver) {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: publish %s: %w", id, publishers.ErrNotPublished))
	}
	return res, err
}
