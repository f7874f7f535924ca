package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// warns publishes for real and says the post is not quite as asked, as
// YouTube's publisher does for an unaudited project.
type warns struct{ publishers.Publisher }

const lockedPrivate = "YouTube locked the video private: the API project is not audited"

func (w warns) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	res, err := w.Publisher.Publish(ctx, req)
	res.Warning = lockedPrivate
	return res, err
}

// A publisher's warning reaches the record and the post.published event.
func TestPublishedWarningIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(func(p publishers.Publisher) publishers.Publisher { return warns{p} }), nil)
	e.schedule(e.post("w-1", time.Now()))
	st := e.waitState("w-1", jobs.StatePublished, 20*time.Second)
	if st.Warning != lockedPrivate || st.RemoteID == "" || st.RemoteIDPending {
		t.Errorf("status %+v, want published with the warning", st)
	}
	var ev events.Event
	for _, x := range e.streamEvents("acct-1") {
		if x.Type == events.PostPublished && x.PostID == "w-1" {
			ev = x
		}
	}
	if ev.Warning != lockedPrivate || ev.RemoteID != st.RemoteID {
		t.Errorf("post.published %+v, want the warning", ev)
	}
}
