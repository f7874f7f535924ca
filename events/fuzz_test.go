package events_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// FuzzParse: Parse takes any stream entry (anyone with access to Redis
// can append one) without panicking, and an event it accepts survives a
// round trip through the stream's fields, into the same tenant's stream
// and with the same (the app's) ids.
func FuzzParse(f *testing.F) {
	f.Add("post.published", "2026-01-02T03:04:05Z", "", "acct-1", "p1", "published", "2", "https://x/1")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("post.published", "2026-01-02T03:04:05Z", "shop", "acct-1", "p1", "sent_to_inbox", "1", "YouTube locked the video private")
	f.Add("post.retry", "yesterday", "default", "a", "", "", "many", "")
	f.Add("account.connected", "2026-01-02T03:04:05.123456789+02:00", "blog", "a", "", "", "-1", "")
	f.Add("account.connected", "2026-01-02T03:04:05Z", "shop", "blog~a", "", "", "", "")
	f.Add("account.connected", "2026-01-02T03:04:05Z", "Shop", "a", "", "", "", "")
	f.Fuzz(func(t *testing.T, typ, at, tn, account, post, state, attempt, url string) {
		m := redis.XMessage{ID: "1-0", Values: map[string]any{
			"type": typ, "at": at, "tenant": tn, "account_id": account, "post_id": post, "state": state, "attempt": attempt, "url": url,
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
		if tenant.Check(e.Tenant) != nil || (tn != "" && e.Tenant != tn) {
			t.Fatalf("Parse gave tenant %q for %q", e.Tenant, tn)
		}
		if e.Stream() != events.StreamOf(e.Tenant) {
			t.Fatalf("event of %s goes to %s", e.Tenant, e.Stream())
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
		if !again.At.Equal(e.At) || again.Type != e.Type || again.Tenant != e.Tenant || again.AccountID != e.AccountID || again.PostID != e.PostID ||
			again.State != e.State || again.URL != e.URL || (e.Attempt > 0 && again.Attempt != e.Attempt) ||
			again.Warning != e.Warning || again.ResultState != e.ResultState || again.RemoteIDPending != e.RemoteIDPending {
			t.Fatalf("round trip changed the event:\n %+v\n %+v", e, again)
		}
	})
}

// FuzzLocal: whatever ids an event is written with, it lands in the
// stream of the tenant Fields names, with ids that carry no tenant.
func FuzzLocal(f *testing.F) {
	f.Add("", "acct-1", "p1")
	f.Add("", "shop~acct-1", "shop~p1")
	f.Add("shop", "acct-1", "")
	f.Add("blog", "shop~acct-1", "blog~p1")
	f.Fuzz(func(t *testing.T, tn, account, post string) {
		e := events.Event{Type: events.PostPublished, Tenant: tn, AccountID: account, PostID: post}
		l := e.Local()
		values := map[string]any{}
		fields := e.Fields()
		for i := 0; i+1 < len(fields); i += 2 {
			values[fields[i].(string)] = fields[i+1]
		}
		if values["tenant"] != l.Tenant || e.Stream() != events.StreamOf(l.Tenant) {
			t.Fatalf("%+v: fields name tenant %v, stream %s, Local %q", e, values["tenant"], e.Stream(), l.Tenant)
		}
		if qt := tenant.Of(account); tenant.Check(qt) == nil && qt != tenant.Default && l.Tenant != qt && tenant.Of(post) == tenant.Default {
			t.Fatalf("%+v: the account's tenant %s lost to %s", e, qt, l.Tenant)
		}
	})
}
