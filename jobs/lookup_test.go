package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/tokens"
)

// tiktokEnv is a worker publishing to the TikTok fake, whose clock a
// test moves on (moderation ends when it does).
type tiktokEnv struct {
	*env
	srv   *tiktoktest.Server
	video string
	// skew is how far the fake's clock runs ahead of time.Now.
	skew atomic.Int64
}

func newTikTokEnv(t *testing.T, lookup jobs.LookupConfig) *tiktokEnv {
	t.Helper()
	e := &tiktokEnv{env: newEnv(t), srv: tiktoktest.New()}
	t.Cleanup(e.srv.Close)
	e.srv.SetClock(func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) })
	video := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: one chunk
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "v.mp4", time.Time{}, bytes.NewReader(video))
	}))
	t.Cleanup(src.Close)
	e.video = src.URL + "/v.mp4"

	keys, _ := tokens.ParseKeyring(testKeys)
	vault := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{Platforms: map[string]tokens.Platform{"tiktok": {}}}))
	e.vault = vault
	if err := vault.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "tiktok", PlatformUserID: "open-1", Token: e.srv.Issue("open-1")}); err != nil {
		t.Fatal(err)
	}
	fetch, err := media.New(media.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	reg := publishers.NewRegistry()
	reg.Register("tiktok", tiktok.New(tiktok.Options{BaseURL: e.srv.URL(), ClientKey: tiktoktest.DefaultClientKey,
		ClientSecret: tiktoktest.DefaultClientSecret, Fetcher: fetch, PollInterval: 10 * time.Millisecond}))
	e.startWorker(reg, func(c *jobs.WorkerConfig) { c.Tokens, c.Sealer, c.Lookup = vault, keys, lookup })
	return e
}

// moderationEnds moves the fake's clock past publishPending's moderation
// delay (and not so far that the access token expires).
func (e *tiktokEnv) moderationEnds() { e.skew.Add(int64(45 * time.Minute)) }

func (e *tiktokEnv) tiktokPost(id string, options map[string]string) jobs.Post {
	return jobs.Post{ID: id, AccountID: "acct-1", Platform: "tiktok", PublishAt: time.Now(),
		Content: publishers.Content{Text: "caption " + id, Options: options,
			Media: []publishers.Media{{URL: e.video, Kind: publishers.MediaVideo}}}}
}

func public() map[string]string {
	return map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyPublic}
}

// publishPending publishes post id while moderation withholds its id.
func (e *tiktokEnv) publishPending(id string) jobs.PostStatus {
	e.t.Helper()
	e.srv.SetProcessing(tiktoktest.Processing{ModerationDelay: 30 * time.Minute})
	e.schedule(e.tiktokPost(id, public()))
	st := e.waitState(id, jobs.StatePublished, 30*time.Second)
	if !st.RemoteIDPending || st.RemoteID != "" || st.URL != "" {
		e.t.Fatalf("published %+v, want the remote id pending", st)
	}
	return st
}

// eventOf returns the last event of type typ about post id.
func (e *tiktokEnv) eventOf(id, typ string) (events.Event, bool) {
	var found events.Event
	ok := false
	for _, ev := range e.streamEvents("acct-1") {
		if ev.PostID == id && ev.Type == typ {
			found, ok = ev, true
		}
	}
	return found, ok
}

// A post TikTok published while moderation withheld its id is published
// with the id pending; lookups on a backoff keep asking, and once
// moderation ends the id and URL are filled in and post.updated says so.
func TestTikTokPostIDAfterModeration(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Second, Max: time.Second})
	e.publishPending("tt-1")
	if ev, ok := e.eventOf("tt-1", events.PostPublished); !ok || !ev.RemoteIDPending || ev.RemoteID != "" {
		t.Errorf("post.published %+v, want remote_id_pending", ev)
	}
	// A round that finds moderation still running changes nothing.
	statuses := e.srv.Count(tiktoktest.EndpointStatus)
	eventually.True(t, 20*time.Second, func() bool { return e.srv.Count(tiktoktest.EndpointStatus) > statuses },
		"a lookup round fetched the status")
	if st := e.status("tt-1"); !st.RemoteIDPending || st.RemoteID != "" {
		t.Fatalf("under moderation: %+v", st)
	}
	e.moderationEnds()
	var st jobs.PostStatus
	eventually.True(t, 20*time.Second, func() bool { st = e.status("tt-1"); return st.RemoteID != "" }, "the post id filled in (last %+v)", &st)
	posts := e.srv.Posts()
	if len(posts) != 1 || st.RemoteID != posts[0].ID || !strings.HasSuffix(st.URL, "/video/"+posts[0].ID) || st.RemoteIDPending || st.State != jobs.StatePublished {
		t.Errorf("status %+v, want published as TikTok's post %+v", st, posts)
	}
	ev, ok := e.eventOf("tt-1", events.PostUpdated)
	if !ok || ev.RemoteID != st.RemoteID || ev.URL != st.URL || ev.State != string(jobs.StatePublished) {
		t.Errorf("post.updated %+v (found %v), want the id and URL", ev, ok)
	}
	if n := e.srv.Inits("caption tt-1"); n != 1 {
		t.Errorf("%d inits, want 1", n)
	}
	// A lookup that comes after the id arrived asks nothing.
	after := e.srv.Count(tiktoktest.EndpointStatus)
	if n, err := e.client.LookUpPending(context.Background(), "acct-1"); err != nil || n != 0 {
		t.Errorf("LookUpPending = %d, %v; want no post pending", n, err)
	}
	enqueueLookupNow(t, e.env, "tt-1")
	eventually.True(t, 20*time.Second, func() bool {
		_, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-1:now")
		return errors.Is(err, asynq.ErrTaskNotFound)
	}, "the late lookup done")
	if n := e.srv.Count(tiktoktest.EndpointStatus); n != after {
		t.Errorf("%d status fetches after the id arrived", n-after)
	}
	updates := 0
	for _, ev := range e.streamEvents("acct-1") {
		if ev.Type == events.PostUpdated {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("%d post.updated events, want 1", updates)
	}
}

// A post moderation took down ends failed with TikTok's reason.
func TestTikTokPostRemovedInModerationFails(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Second, Max: time.Second})
	e.publishPending("tt-2")
	e.srv.RemoveInModeration(e.srv.Publishes()[0].ID, "spam_risk_text")
	st := e.waitState("tt-2", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != "permanent" || !strings.Contains(st.Reason, "taken down") || !strings.Contains(st.Reason, "spam_risk_text") || st.RemoteIDPending {
		t.Errorf("status %+v, want failed: taken down, with the reason", st)
	}
	if ev, ok := e.eventOf("tt-2", events.PostFailed); !ok || !strings.Contains(ev.Reason, "spam_risk_text") {
		t.Errorf("post.failed %+v (found %v)", ev, ok)
	}
}

// TikTok's post.publish.publicly_available webhook looks the id up at
// once (LookUpPending), without waiting for the next round.
func TestTikTokWebhookLooksUpAtOnce(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Hour}) // no round comes during the test
	e.publishPending("tt-3")
	e.moderationEnds()
	n, err := e.client.LookUpPending(context.Background(), "acct-1")
	if err != nil || n != 1 {
		t.Fatalf("LookUpPending = %d, %v; want 1 post", n, err)
	}
	var st jobs.PostStatus
	eventually.True(t, 20*time.Second, func() bool { st = e.status("tt-3"); return st.RemoteID != "" }, "the post id filled in (last %+v)", &st)
	if _, ok := e.eventOf("tt-3", events.PostUpdated); !ok {
		t.Error("no post.updated")
	}
}

// A lookup never runs beside the holder of the post's lock (another
// lookup) nor before an attempt has settled the post: it waits, and asks
// TikTok nothing meanwhile.
func TestTikTokLookupWaitsForThePost(t *testing.T) {
	for name, hold := range map[string][]any{
		"lock held":         {"lock_owner", "someone", "lock_until", time.Now().Add(time.Hour).UnixMilli()},
		"attempt unsettled": {"state", "publishing"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTikTokEnv(t, jobs.LookupConfig{First: time.Hour})
			e.publishPending("tt-4")
			e.moderationEnds()
			if err := e.rdb.HSet(context.Background(), "herald:{post:tt-4}", hold...).Err(); err != nil {
				t.Fatal(err)
			}
			statuses := e.srv.Count(tiktoktest.EndpointStatus)
			// As LookUpPending does (which skips a post that is not
			// published: the webhook's task may be queued before an
			// attempt starts again, as here).
			enqueueLookupNow(t, e.env, "tt-4")
			eventually.True(t, 20*time.Second, func() bool {
				info, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-4:now")
				return err == nil && info.State == asynq.TaskStateRetry && strings.Contains(info.LastErr, "snoozed")
			}, "the lookup snoozed")
			if n := e.srv.Count(tiktoktest.EndpointStatus) - statuses; n != 0 {
				t.Errorf("%d status fetches while the post was held", n)
			}
			if st := e.status("tt-4"); st.RemoteID != "" {
				t.Errorf("status %+v: the lookup ran while the post was held", st)
			}
		})
	}
}

// enqueueLookupNow enqueues the task the webhook does for postID.
func enqueueLookupNow(t *testing.T, e *env, postID string) {
	t.Helper()
	q := asynq.NewClientFromRedisClient(e.rdb)
	_, err := q.Enqueue(asynq.NewTask(jobs.TypeLookup, []byte(`{"post_id":"`+postID+`","round":0}`)),
		asynq.TaskID("lookup:"+postID+":now"), asynq.Queue(jobs.QueuePublish))
	if err != nil {
		t.Fatal(err)
	}
}

// Past GiveUpAfter Herald stops asking; the post stays published, and
// its record and a post.updated event say why it has no id.
func TestTikTokLookupGivesUp(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Second, Max: time.Second, GiveUpAfter: time.Nanosecond})
	e.publishPending("tt-5")
	var st jobs.PostStatus
	eventually.True(t, 20*time.Second, func() bool { st = e.status("tt-5"); return !st.RemoteIDPending }, "the lookups given up")
	if st.State != jobs.StatePublished || st.RemoteID != "" || !strings.Contains(st.Warning, "gave no post id") {
		t.Errorf("status %+v, want published, no id, a warning", st)
	}
	if ev, ok := e.eventOf("tt-5", events.PostUpdated); !ok || ev.Warning != st.Warning {
		t.Errorf("post.updated %+v (found %v), want the warning", ev, ok)
	}
}

// An inbox upload is published with result_state sent_to_inbox, in its
// record and its event.
func TestTikTokInboxResultState(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{})
	p := e.tiktokPost("tt-6", map[string]string{tiktok.OptionInbox: "true"})
	p.Content.Text = ""
	e.schedule(p)
	st := e.waitState("tt-6", jobs.StatePublished, 30*time.Second)
	if st.ResultState != tiktok.StateSentToInbox || st.RemoteIDPending {
		t.Errorf("status %+v, want result_state %s", st, tiktok.StateSentToInbox)
	}
	if ev, ok := e.eventOf("tt-6", events.PostPublished); !ok || ev.ResultState != tiktok.StateSentToInbox {
		t.Errorf("post.published %+v (found %v)", ev, ok)
	}
}

// An account's lookups keep to LookupConfig.PerMinute: past it, a lookup
// waits for the next minute without asking TikTok.
func TestTikTokLookupsArePacedPerAccount(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Hour, PerMinute: 1})
	e.publishPending("tt-7")
	e.publishPending("tt-8")
	e.moderationEnds()
	statuses := e.srv.Count(tiktoktest.EndpointStatus)
	if n, err := e.client.LookUpPending(context.Background(), "acct-1"); err != nil || n != 2 {
		t.Fatalf("LookUpPending = %d, %v; want 2 posts", n, err)
	}
	snoozed := func(id string) bool {
		info, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:"+id+":now")
		return err == nil && info.State == asynq.TaskStateRetry && strings.Contains(info.LastErr, "lookups of this minute")
	}
	var filled, waiting string
	eventually.True(t, 20*time.Second, func() bool {
		for _, p := range [][2]string{{"tt-7", "tt-8"}, {"tt-8", "tt-7"}} {
			if e.status(p[0]).RemoteID != "" && snoozed(p[1]) {
				filled, waiting = p[0], p[1]
				return true
			}
		}
		return false
	}, "one post looked up, the other waiting")
	if n := e.srv.Count(tiktoktest.EndpointStatus) - statuses; n != 1 {
		t.Errorf("%d status fetches, want 1 (the cap)", n)
	}
	if st := e.status(waiting); st.RemoteID != "" || !st.RemoteIDPending {
		t.Errorf("%s (beside %s): %+v, want still pending", waiting, filled, st)
	}
}

// Erasing the account deletes the lookups of its posts: their tasks name
// the post.
func TestTikTokErasureForgetsLookups(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Hour})
	e.publishPending("tt-9")
	// The handler enqueues the lookup after it recorded the post
	// published, which the test saw.
	eventually.True(t, 10*time.Second, func() bool {
		_, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-9:1")
		return err == nil
	}, "the first round's task enqueued")
	if _, err := e.vault.Erase(context.Background(), "acct-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-9:1"); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Errorf("the lookup task outlived the erasure: %v", err)
	}
}

// A later round's task is found through the round the record names.
func TestTikTokErasureForgetsLaterRounds(t *testing.T) {
	e := newTikTokEnv(t, jobs.LookupConfig{First: time.Second, Max: time.Hour}) // round 2 comes 2 s after round 1
	e.publishPending("tt-10")
	eventually.True(t, 20*time.Second, func() bool {
		_, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-10:2")
		return err == nil
	}, "the second round scheduled")
	if _, err := e.vault.Erase(context.Background(), "acct-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.insp.GetTaskInfo(jobs.QueuePublish, "lookup:tt-10:2"); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Errorf("the second round's task outlived the erasure: %v", err)
	}
}
