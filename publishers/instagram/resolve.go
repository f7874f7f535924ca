package instagram

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/publishers"
)

var _ publishers.Resolver = (*Publisher)(nil)

// ResolvesOnly implements publishers.Resolver: a post canceled while its
// outcome was unknown is looked up through its container's status,
// never published.
func (p *Publisher) ResolvesOnly() bool { return true }

// resolve answers a ResolveOnly request (CheckpointMedia, when saved, was
// answered before): without a container nothing can have been published;
// a container whose status is not PUBLISHED was not (media_publish is the
// only call that makes the post); a PUBLISHED one is looked up as a lost
// publish answer is.
func (pub *publication) resolve(ctx context.Context) (publishers.Result, error) {
	container := pub.req.Checkpoints.Get(CheckpointContainer)
	if container == "" {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("instagram: no container was made: %w", publishers.ErrNotPublished))
	}
	var st containerStatus
	step := "read status of container " + container
	if err := pub.graph(ctx, pub.s, step, http.MethodGet, "/"+container, url.Values{"fields": {"status_code,status"}}, &st); err != nil {
		return publishers.Result{}, err
	}
	if st.Code != statusPublished {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("instagram: container %s is %s, not published: %w", container, pub.s.clean([]byte(st.Code), 40), publishers.ErrNotPublished))
	}
	return pub.lookup(ctx, container)
}
