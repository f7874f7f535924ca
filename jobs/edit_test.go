package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

func TestEditPostChangesWhatGoesOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.schedule(e.post("ed", time.Now().Add(2*time.Second)))
	content := publishers.Content{Title: "Edited", Text: "the new text"}
	if _, err := e.client.EditPost(ctx, "ed", jobs.Edit{Content: &content}); err != nil {
		t.Fatal(err)
	}
	if info := e.taskInfo("ed"); info != nil {
		var p struct {
			Post struct{ Preview string }
		}
		_ = json.Unmarshal(info.Payload, &p)
		if p.Post.Preview != "Edited" {
			t.Errorf("task payload still shows %q", p.Post.Preview)
		}
	}
	bad := publishers.Content{}
	if _, err := e.client.EditPost(ctx, "ed", jobs.Edit{Content: &bad}); !containsField(err, "content") {
		t.Errorf("emptying the content: %v, want a content error", err)
	}
	e.startWorker(e.registry(nil), nil)
	e.waitState("ed", jobs.StatePublished, 20*time.Second)
	posts := e.sandbox.Posts()
	if len(posts) != 1 || posts[0].Text != "the new text" || posts[0].Title != "Edited" {
		t.Errorf("platform got %+v, want the edited post", posts)
	}
	if _, err := e.client.EditPost(ctx, "ed", jobs.Edit{Content: &content}); !errors.Is(err, jobs.ErrAlreadyPublished) {
		t.Errorf("edit after publishing: %v", err)
	}
}
