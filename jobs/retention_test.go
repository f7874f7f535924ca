package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

func recordTTL(t *testing.T, rdb *redis.Client, id string) time.Duration {
	t.Helper()
	d, err := rdb.PTTL(context.Background(), "herald:{post:"+id+"}").Result()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCancelingAPostStartsItsRetention(t *testing.T) {
	e := newEnv(t)
	c := jobs.NewClient(e.rdb, jobs.WithRetention(time.Hour))
	e.schedule(e.post("c1", time.Now().Add(time.Hour)))
	if d := recordTTL(t, e.rdb, "c1"); d != -1 {
		t.Fatalf("a scheduled record expires in %v", d)
	}
	if _, err := c.CancelPost(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	if d := recordTTL(t, e.rdb, "c1"); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("canceled record expires in %v, want about 1h", d)
	}
}

func TestRetentionSweepExpiresFinalRecordsAndTrimsTheIndex(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const retention = 1500 * time.Millisecond
	c := jobs.NewClient(e.rdb, jobs.WithRetention(retention), jobs.WithMaxLateness(time.Hour))
	at := time.Now().Add(time.Minute)
	for _, id := range []string{"done", "live"} {
		e.schedule(e.post(id, at))
	}
	if _, err := e.client.CancelPost(ctx, "done"); err != nil {
		t.Fatal(err)
	}
	// A final record whose writer did not call ExpireFinal.
	if err := e.rdb.Persist(ctx, "herald:{post:done}").Err(); err != nil {
		t.Fatal(err)
	}
	st, err := c.NewRetentionSweep().Step(ctx, 100)
	if err != nil || st.Examined != 2 || st.Expiring != 1 || st.Trimmed != 0 {
		t.Fatalf("sweep: %+v, %v; want 2 examined, 1 given its expiry", st, err)
	}
	if d := recordTTL(t, e.rdb, "live"); d != -1 {
		t.Errorf("a scheduled record was given an expiry (%v)", d)
	}
	eventually.True(t, 10*time.Second, func() bool { return recordTTL(t, e.rdb, "done") == -2 }, "the canceled record expires")
	if _, err := c.PostStatus(ctx, "done"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("expired post: %v, want ErrNotFound", err)
	}
	if got := e.listAll(jobs.ListQuery{AccountID: "acct-1"}); !slices.Equal(got, []string{"live"}) {
		t.Errorf("listing after expiry: %v", got)
	}
	// Its index entry stays while a post that late could still be being
	// scheduled, and goes once its time is past the lateness.
	st, _ = c.NewRetentionSweep().Step(ctx, 100)
	if st.Trimmed != 0 {
		t.Errorf("trimmed an entry whose time is to come: %+v", st)
	}
	later := jobs.NewClient(e.rdb, jobs.WithRetention(retention), jobs.WithMaxLateness(time.Hour),
		jobs.WithClock(func() time.Time { return at.Add(61 * time.Minute) }))
	st, _ = later.NewRetentionSweep().Step(ctx, 100)
	if st.Trimmed != 1 {
		t.Errorf("sweep after the lateness: %+v, want 1 trimmed", st)
	}
	if ids, _ := e.rdb.ZRange(ctx, "herald:{acct:acct-1}:posts", 0, -1).Result(); !slices.Equal(ids, []string{"live"}) {
		t.Errorf("index holds %v, want [live]", ids)
	}
}

// A post id is unique within the retention window only: once its record
// has expired, the id schedules a new post, listed at its own time even
// though the old index entry was not trimmed yet.
func TestAnExpiredIDSchedulesANewPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.post("again", time.Now().Add(time.Minute))
	e.schedule(old)
	e.schedule(e.post("other", time.Now().Add(2*time.Minute)))
	if err := e.rdb.Del(ctx, "herald:{post:again}").Err(); err != nil { // expired
		t.Fatal(err)
	}
	p := e.post("again", time.Now().Add(time.Hour))
	p.Content.Text = "a new post"
	if st := e.schedule(p); st.State != jobs.StateScheduled || !st.PublishAt.Equal(time.UnixMilli(p.PublishAt.UnixMilli())) {
		t.Errorf("scheduling an expired id: %+v", st)
	}
	if got := e.listAll(jobs.ListQuery{AccountID: "acct-1"}); !slices.Equal(got, []string{"other", "again"}) {
		t.Errorf("listing %v, want the new post at its own time", got)
	}
	// The sweep keeps the entry: its record exists.
	far := jobs.NewClient(e.rdb, jobs.WithClock(func() time.Time { return time.Now().Add(48 * time.Hour) }))
	if st, _ := far.NewRetentionSweep().Step(ctx, 100); st.Trimmed != 0 {
		t.Errorf("sweep trimmed a live post's entry: %+v", st)
	}
}

func TestRetentionSweepIsBoundedAndResumes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var want []string
	for a := range 3 {
		for i := range 5 {
			p := e.post(fmt.Sprintf("s%d-%d", a, i), time.Now().Add(time.Hour))
			p.AccountID = fmt.Sprintf("acct-%d", a)
			e.schedule(p)
			want = append(want, p.ID)
		}
	}
	sw := e.client.NewRetentionSweep()
	total, passes := 0, 0
	for range 20 {
		st, err := sw.Step(ctx, 4)
		if err != nil {
			t.Fatal(err)
		}
		if st.Examined > 4 {
			t.Fatalf("a step of budget 4 examined %d", st.Examined)
		}
		total += st.Examined
		if passes += st.Passes; passes == 1 {
			break
		}
	}
	if passes != 1 || total != len(want) {
		t.Errorf("one pass examined %d entries (%d passes), want %d", total, passes, len(want))
	}
}

// The attempt that ends a post starts its record's retention, published
// or failed, in finish's round trip; a post still being retried keeps
// its record for good.
func TestEndingAttemptStartsTheRecordsRetention(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef("bad", -1, sandboxtest.Fault{Status: 422, Message: "video too long"})
	e.sandbox.FailRef("later", -1, sandboxtest.Fault{Status: 503})
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) { c.RecordRetention = time.Hour })
	for _, id := range []string{"good", "bad", "later"} {
		e.schedule(e.post(id, time.Now()))
	}
	e.waitState("good", jobs.StatePublished, 20*time.Second)
	e.waitState("bad", jobs.StateFailed, 20*time.Second)
	for _, id := range []string{"good", "bad"} {
		if d := recordTTL(t, e.rdb, id); d <= 59*time.Minute || d > time.Hour {
			t.Errorf("%s: record expires in %v, want about 1h", id, d)
		}
	}
	eventually.True(t, 20*time.Second, func() bool { return e.status("later").Attempts >= 2 }, "a second attempt at the retried post")
	if d := recordTTL(t, e.rdb, "later"); d != -1 {
		t.Errorf("a post being retried has a record that expires in %v", d)
	}
}
