package events_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
)

// FuzzParse: Parse takes any stream entry (anyone with access to Redis
// can append one) without panicking, and an event it accepts survives a
// round trip through the stream's fields.
func FuzzParse(f *testing.F) {
	f.Add("post.published", "2026-01-02T03:04:05Z", "acct-1", "p1", "published", "2", "https://x/1")
	f.Add("", "", "", "", "", "", "")
	f.Add("post.published", "2026-01-02T03:04:05Z", "acct-1", "p1", "sent_to_inbox", "1", "YouTube locked the video private")
	f.Add("post.retry", "yesterday", "a", "", "", "many", "")
	f.Add("account.connected", "2026-01-02T03:04:05.123456789+02:00", "a", "", "", "-1", "")
	f.Fuzz(func(t *testing.T, typ, at, account, post, state, attempt, url string) {
		m := redis.XMessage{ID: "1-0", Values: map[string]any{
			"type": typ, "at": at, "account_id": account, "post_id": post, "state": state, "attempt": attempt, "url": url,
			// The same inputs again, in the fields of a published post's details.
			"warning": url, "result_state": state, "remote_id_pending": attempt,
		}}
		e, err := events.Parse(m)
		if err != nil {
			return
		}
		if e.Type == "" {
			t.Fatal("Parse accepted an event without a type")
		}
		fields := e.Fields()
		values := map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			values[fields[i].(string)] = fields[i+1]
		}
		again, err := events.Parse(redis.XMessage{ID: "1-0", Values: values})
		if err != nil {
			t.Fatalf("Parse(Fields(%+v)) = %v", e, err)
		}
		if !again.At.Equal(e.At) || again.Type != e.Type || again.AccountID != e.AccountID || again.PostID != e.PostID ||
			again.State != e.State || again.URL != e.URL || (e.Attempt > 0 && again.Attempt != e.Attempt) ||
			again.Warning != e.Warning || again.ResultState != e.ResultState || again.RemoteIDPending != e.RemoteIDPending {
			t.Fatalf("round trip changed the event:\n %+v\n %+v", e, again)
		}
	})
}
