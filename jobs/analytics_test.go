package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// analyticsEnv has a Vault with n connected sandbox accounts.
func analyticsEnv(t *testing.T, n int) (*env, *tokens.Vault) {
	e := newEnv(t)
	keys, _ := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	// OAuth refreshes tokens that carry a refresh token; its endpoint is
	// never called here.
	refresh := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: "http://127.0.0.1:1/token", AuthStyle: oauth2.AuthStyleInParams}}
	v := tokens.New(e.rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {OAuth: refresh}}})
	for i := range n {
		err := v.Connect(context.Background(), tokens.Account{ID: fmt.Sprintf("a-%04d", i), Platform: "sandbox",
			Token: &oauth2.Token{AccessToken: "t"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e, v
}

func TestSweepEnqueuesOneRefreshPerAccountOnce(t *testing.T) {
	e, v := analyticsEnv(t, 1000)
	ctx := context.Background()
	// One account needs reauthorization: skipped.
	e.rdb.HSet(ctx, "herald:{acct:a-0007}:token", "status", "reauth_required")

	// Two schedulers at once: one sweep.
	var wg sync.WaitGroup
	enq := make([]bool, 2)
	for i := range enq {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if enq[i], err = e.client.EnqueueSweep(ctx, time.Hour); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if enq[0] == enq[1] {
		t.Fatalf("two schedulers enqueued %v: want exactly one sweep", enq)
	}
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) { c.Tokens = v })
	// Tasks move between states while the lists are read, so a snapshot
	// can miss one: count every id ever seen.
	ids := map[string]bool{}
	count := func() int {
		page := asynq.PageSize(5000)
		tasks, _ := e.insp.ListScheduledTasks(jobs.QueueAnalytics, page)
		pending, _ := e.insp.ListPendingTasks(jobs.QueueAnalytics, page)
		done, _ := e.insp.ListCompletedTasks(jobs.QueueAnalytics, page)
		active, _ := e.insp.ListActiveTasks(jobs.QueueAnalytics, page)
		for _, l := range [][]*asynq.TaskInfo{tasks, pending, done, active} {
			for _, ti := range l {
				if ti.Type == jobs.TypeAnalyticsRefresh {
					ids[ti.ID] = true
				}
			}
		}
		return len(ids)
	}
	eventually.True(t, 30*time.Second, func() bool { return count() == 999 }, "999 refreshes enqueued (have %d)", count())
	// A second sweep in the same window enqueues nothing new.
	if again, _ := e.client.EnqueueSweep(ctx, time.Hour); again {
		t.Error("second sweep of the window enqueued")
	}
	if n := count(); n != 999 {
		t.Errorf("%d refreshes after a repeated sweep, want 999", n)
	}
	if info, err := e.insp.GetTaskInfo(jobs.QueueAnalytics, fmt.Sprintf("analytics-sweep:a-0007:%d", time.Now().UTC().Truncate(time.Hour).Unix())); err == nil {
		t.Errorf("reauth account got a refresh: %s", info.State)
	}
}

func TestRefreshStoresSnapshotsAndCappedHistory(t *testing.T) {
	e, v := analyticsEnv(t, 1)
	ctx := context.Background()
	base := time.Now().UTC()
	var mu sync.Mutex
	var offset time.Duration // days the test has moved the clock on
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().UTC().Add(offset) }
	client := jobs.NewClient(e.rdb, jobs.WithClock(clock))
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Tokens, c.Now = v, clock
		c.Analytics = analytics.Config{HistoryDays: 3}
	})
	// Publish a post so there is one to read statistics of.
	p := e.post("stat-1", time.Now())
	p.AccountID = "a-0000"
	if _, err := e.client.SchedulePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	st := e.waitState("stat-1", jobs.StatePublished, 20*time.Second)

	for day := range 5 {
		mu.Lock()
		offset = time.Duration(day) * 24 * time.Hour
		mu.Unlock()
		if err := client.RefreshAnalytics(ctx, "a-0000", "sandbox"); err != nil {
			t.Fatal(err)
		}
		eventually.True(t, 20*time.Second, func() bool {
			s, err := client.LatestAnalytics(ctx, "a-0000")
			return err == nil && s.At.Format(time.DateOnly) == base.AddDate(0, 0, day).Format(time.DateOnly)
		}, "snapshot of day %d", day)
	}
	snap, _ := client.LatestAnalytics(ctx, "a-0000")
	var fake struct{ Followers int64 }
	req, _ := http.NewRequest("GET", e.sandbox.URL()+"/v1/accounts/a-0000/stats", nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&fake)
	resp.Body.Close()
	if got := snap.Account[publishers.MetricFollowers]; got == 0 || got != fake.Followers {
		t.Errorf("snapshot followers %d, the platform says %d", got, fake.Followers)
	}
	if m, ok := snap.Posts[st.RemoteID]; !ok || m[publishers.MetricViews] == 0 {
		t.Errorf("snapshot lacks the published post's views: %+v", snap.Posts)
	}
	// The platform's own names are kept beside the common ones.
	if got := snap.RawAccount["followers"]; got != fake.Followers {
		t.Errorf("raw account metrics %v, want followers %d", snap.RawAccount, fake.Followers)
	}
	if raw := snap.RawPosts[st.RemoteID]; raw["views"] != snap.Posts[st.RemoteID][publishers.MetricViews] {
		t.Errorf("raw post metrics %v beside %v", raw, snap.Posts[st.RemoteID])
	}
	hist, err := client.AnalyticsHistory(ctx, "a-0000")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Day != base.AddDate(0, 0, 4).Format(time.DateOnly) || hist[2].Day != base.AddDate(0, 0, 2).Format(time.DateOnly) {
		t.Errorf("history %+v, want the 3 newest days", hist)
	}
}

// TestSweepWarnsBeforeATokenThatCannotBeRefreshedExpires: a LinkedIn
// token without a refresh token expiring within the lead gets one
// account.reconnect_due event, however many sweeps see it.
func TestSweepWarnsBeforeATokenThatCannotBeRefreshedExpires(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keys, _ := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	// OAuth refreshes tokens that carry a refresh token; its endpoint is
	// never called here.
	refresh := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: "http://127.0.0.1:1/token", AuthStyle: oauth2.AuthStyleInParams}}
	v := tokens.New(e.rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {OAuth: refresh}}})
	for id, tok := range map[string]*oauth2.Token{
		"expiring":    {AccessToken: "t1", Expiry: time.Now().Add(3 * 24 * time.Hour)},
		"far":         {AccessToken: "t2", Expiry: time.Now().Add(50 * 24 * time.Hour)},
		"refreshable": {AccessToken: "t3", RefreshToken: "r3", Expiry: time.Now().Add(time.Hour)},
	} {
		if err := v.Connect(ctx, tokens.Account{ID: id, Platform: "sandbox", Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	var hour time.Duration
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(hour) }
	client := jobs.NewClient(e.rdb, jobs.WithClock(clock))
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Tokens, c.Now = v, clock
		c.Analytics = analytics.Config{ReconnectLead: 7 * 24 * time.Hour}
	})
	for sweep := range 2 {
		mu.Lock()
		hour = time.Duration(sweep) * time.Hour // the next window
		mu.Unlock()
		if ok, err := client.EnqueueSweep(ctx, time.Hour); !ok || err != nil {
			t.Fatalf("sweep %d: %v %v", sweep, ok, err)
		}
		eventually.True(t, 20*time.Second, func() bool {
			q, err := e.insp.GetQueueInfo(jobs.QueueAnalytics)
			return err == nil && q.Completed >= sweep+1 && q.Pending+q.Active == 0
		}, "sweep %d done", sweep)
	}
	got := e.streamTypes("expiring")
	if n := len(slices.DeleteFunc(slices.Clone(got), func(typ string) bool { return typ != events.AccountReconnectDue })); n != 1 {
		t.Errorf("expiring: events %v, want one %s", got, events.AccountReconnectDue)
	}
	for _, id := range []string{"far", "refreshable"} {
		if got := e.streamTypes(id); slices.Contains(got, events.AccountReconnectDue) {
			t.Errorf("%s: events %v", id, got)
		}
	}
}
