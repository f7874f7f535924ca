package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// TestEditAfterCheckpointIsRefused: once an attempt left a draft at the
// platform, the next attempt publishes that draft; an edit of the content
// would be lost (or mixed: old media, new text), so it is refused with a
// reason, while not_after may still change.
func TestEditAfterCheckpointIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.schedule(e.post("drafted", time.Now().Add(time.Hour)))
	// What a first attempt that failed after creating its draft leaves.
	if err := e.rdb.HSet(ctx, "herald:{post:drafted}", "cp:draft", "d_1").Err(); err != nil {
		t.Fatal(err)
	}
	content := publishers.Content{Title: "Edited", Text: "the new text"}
	_, err := e.client.EditPost(ctx, "drafted", jobs.Edit{Content: &content})
	if !errors.Is(err, jobs.ErrStarted) || !strings.Contains(err.Error(), "draft") {
		t.Fatalf("edit after a checkpoint: %v, want ErrStarted saying why", err)
	}
	if body := e.rdb.HGet(ctx, "herald:{post:drafted}", "post").Val(); strings.Contains(body, "the new text") {
		t.Error("the refused edit was written")
	}
	notAfter := time.Now().Add(2 * time.Hour)
	if _, err := e.client.EditPost(ctx, "drafted", jobs.Edit{NotAfter: &notAfter}); err != nil {
		t.Errorf("changing only not_after: %v", err)
	}
}
