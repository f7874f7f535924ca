package youtube

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/heraldhq/herald/publishers"
)

var _ publishers.Resolver = (*Publisher)(nil)

// ResolvesOnly implements publishers.Resolver: a post canceled while its
// outcome was unknown is looked up through its upload session, never
// uploaded.
func (p *Publisher) ResolvesOnly() bool { return true }

// resolve answers a ResolveOnly request. YouTube makes the video when
// its upload completes, so: a saved video id is the post; no session, or
// a session not complete (or gone before its last chunk was sent), is no
// video; a complete session names the video. A session gone after the
// last chunk was sent leaves the outcome unknown. The thumbnail and
// playlist steps are not taken: the post was canceled.
func (p *Publisher) resolve(ctx context.Context, req publishers.Request, a *auth) (publishers.Result, error) {
	cp := req.Checkpoints
	if id := cp.Get(CheckpointVideo); id != "" {
		return publishers.Result{RemoteID: id, URL: WatchURL(id)}, nil
	}
	session := cp.Get(CheckpointSession)
	if session == "" {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("youtube: no upload was started: %w", publishers.ErrNotPublished))
	}
	size := int64(-1)
	if s, err := strconv.ParseInt(cp.Get(CheckpointSize), 10, 64); err == nil {
		size = s
	}
	a.HideURL(session, "upload_id")
	st, err := p.status(ctx, a, session, size)
	switch {
	case errors.Is(err, errSessionGone) && cp.Get(CheckpointFinal) != "":
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("youtube: %w: the session expired after the last chunk was sent", publishers.ErrOutcomeUnknown))
	case errors.Is(err, errSessionGone):
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("youtube: the upload expired incomplete: %w", publishers.ErrNotPublished))
	case err != nil:
		return publishers.Result{}, err
	case st.video == "":
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("youtube: the upload is incomplete: %w", publishers.ErrNotPublished))
	}
	if err := cp.Save(ctx, CheckpointPrivacy, st.privacy); err != nil {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("youtube: save privacy of %s: %w", st.video, err))
	}
	if err := cp.Save(ctx, CheckpointVideo, st.video); err != nil {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("youtube: save video %s: %w", st.video, err))
	}
	return publishers.Result{RemoteID: st.video, URL: WatchURL(st.video)}, nil
}
