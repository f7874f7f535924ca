package jobs_test

import (
	"strings"
	"testing"
	"time"
)

// The task payload says which post a task is (id, account, platform, a
// preview) and no longer carries the post's content: the handler
// publishes the record's copy (TestEditPostChangesWhatGoesOut).
func TestTaskPayloadNamesThePostWithoutItsContent(t *testing.T) {
	e := newEnv(t)
	p := e.post("slim", time.Now().Add(time.Hour))
	p.Content.Title = "A title long enough to be cut short in the queue's view of it"
	p.Content.Text = strings.Repeat("body text ", 30)
	e.schedule(p)
	got := string(e.taskInfo("slim").Payload)
	for _, want := range []string{`"post_id":"slim"`, `"account_id":"acct-1"`, `"platform":"sandbox"`, `"preview":"A title long enough to be cut short in…"`} {
		if !strings.Contains(got, want) {
			t.Errorf("payload %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, "body text") || len(got) > 200 {
		t.Errorf("payload carries the content (%d bytes): %s", len(got), got)
	}
}
