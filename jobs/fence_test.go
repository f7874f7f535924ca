package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/tokens"
)

// fenceTTL is the post lock's lifetime in these tests.
const fenceTTL = 300 * time.Millisecond

// handlerFor returns a publish handler over rdb with platform as
// "sandbox", its lock living fenceTTL and renewed every renewEvery.
func handlerFor(rdb redis.UniversalClient, platform publishers.Publisher, renewEvery time.Duration) *publishHandler {
	st := newStore(rdb, time.Now, 0, nil)
	st.lockTTL, st.renewEvery = fenceTTL, renewEvery
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	return &publishHandler{store: st, publishers: reg, tokens: testTokens(rdb),
		maxLateness: time.Hour, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// testTokens is a Vault over rdb with acct-1 connected to "sandbox".
func testTokens(rdb redis.UniversalClient) *tokens.Vault {
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		panic(err)
	}
	v := tokens.New(rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}})
	tok := &oauth2.Token{AccessToken: "t", TokenType: "Bearer"}
	if err := v.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-acct-1", Token: tok}); err != nil {
		panic(err)
	}
	return v
}

func eventTypes(t *testing.T, rdb redis.UniversalClient) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, m := range rdb.XRange(context.Background(), events.Stream, "-", "+").Val() {
		typ, _ := m.Values["type"].(string)
		n[typ]++
	}
	return n
}

// TestStalledAttemptIsFencedOut is the interleaving of issue 19, item 3:
// W1 creates a draft and stalls (its renewals too, as a SIGSTOPped
// process's would) past the lock's lifetime; W2 takes the post over,
// creates and saves its own draft; W1 resumes while W2 is about to
// publish. W1's checkpoint save and its outcome are refused, so W2
// publishes its draft and the platform has one post.
func TestStalledAttemptIsFencedOut(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	reached, resume := make(chan struct{}), make(chan struct{})
	w2AtPublish, w2Go := make(chan struct{}), make(chan struct{})
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		switch {
		case req.Attempt == 1 && step == publisherstest.StepSave:
			close(reached)
			<-resume // stalled: deaf to its context too
		case req.Attempt == 2 && step == publisherstest.StepPublish:
			close(w2AtPublish)
			<-w2Go
		}
		return nil
	}}
	w1 := handlerFor(db.Client, platform, time.Hour) // stalled: never renews
	w2 := handlerFor(db.Client, platform, fenceTTL/3)
	p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
	if _, _, _, _, err := w1.store.create(ctx, p); err != nil {
		t.Fatal(err)
	}

	w1done := make(chan error, 1)
	go func() { w1done <- w1.publish(ctx, "p1", "") }()
	<-reached
	eventually.True(t, 10*time.Second, func() bool {
		held, err := w2.store.locked(ctx, "p1")
		return err == nil && !held
	}, "W1's lock expired")
	w2done := make(chan error, 1)
	go func() { w2done <- w2.publish(ctx, "p1", "") }()
	<-w2AtPublish
	saved, _, _ := w2.store.load(ctx, "p1")

	close(resume)
	var err1 error
	select {
	case err1 = <-w1done:
	case <-time.After(10 * time.Second):
		t.Fatal("W1 never ended")
	}
	if !errors.Is(err1, errLockLost) {
		t.Errorf("W1 ended with %v, want errLockLost", err1)
	}
	if rec, _, _ := w2.store.load(ctx, "p1"); rec.State != StatePublishing || rec.LastError != "" {
		t.Errorf("W1 wrote its outcome over W2's attempt: %+v", rec.PostStatus)
	}
	close(w2Go)
	if err := <-w2done; err != nil {
		t.Fatalf("W2: %v", err)
	}
	won, _, _ := w2.store.load(ctx, "p1")
	if won.State != StatePublished || won.Attempts != 2 {
		t.Fatalf("after W2: %+v", won.PostStatus)
	}
	rec := won
	if d := saved.Checkpoints[publisherstest.CheckpointDraft]; d == "" || rec.Checkpoints[publisherstest.CheckpointDraft] != d {
		t.Errorf("W1 saved its draft over W2's: %v, W2 saved %q", rec.Checkpoints, d)
	}
	if posts := platform.Posts("p1"); len(posts) != 1 {
		t.Errorf("platform has %v, want exactly one post", posts)
	}
	if ev := eventTypes(t, db.Client); ev[events.PostPublished] != 1 || ev[events.PostRetry] != 0 {
		t.Errorf("events %v: want one post.published and no retry from W1", ev)
	}
}

// TestRefusedRenewalStopsTheAttempt: when another attempt took the post
// over, the next renewal is refused and the attempt's context ends at
// once, with errLockLost as its cause, before it reaches the platform.
func TestRefusedRenewalStopsTheAttempt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steal func(ctx context.Context, rdb redis.UniversalClient) error
	}{
		{"taken over", func(ctx context.Context, rdb redis.UniversalClient) error {
			return rdb.HSet(ctx, recordKey("p1"), "lock_owner", "thief").Err()
		}},
		{"canceled", func(ctx context.Context, rdb redis.UniversalClient) error {
			return rdb.HSet(ctx, recordKey("p1"), "state", string(StateCanceled)).Err()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := redistest.New(t)
			ctx := context.Background()
			reached := make(chan struct{})
			cause := make(chan error, 1)
			platform := &publisherstest.Platform{Hook: func(ctx context.Context, step string, _ publishers.Request) error {
				if step == publisherstest.StepCreate {
					close(reached)
					<-ctx.Done()
					cause <- context.Cause(ctx)
					return ctx.Err()
				}
				return nil
			}}
			w := handlerFor(db.Client, platform, 20*time.Millisecond)
			p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
			if _, _, _, _, err := w.store.create(ctx, p); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- w.publish(ctx, "p1", "") }()
			<-reached
			if err := tc.steal(ctx, db.Client); err != nil {
				t.Fatal(err)
			}
			select {
			case c := <-cause:
				if !errors.Is(c, errLockLost) {
					t.Errorf("attempt's context ended by %v, want errLockLost", c)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the attempt's context never ended")
			}
			if err := <-done; !errors.Is(err, errLockLost) {
				t.Errorf("attempt ended with %v", err)
			}
			if posts := platform.Posts("p1"); len(posts) != 0 {
				t.Errorf("platform has %v", posts)
			}
		})
	}
}

// TestFailedRenewalStopsTheAttempt: a renewal that cannot reach Redis
// cannot tell whether the lock is still the attempt's: the attempt stops.
func TestFailedRenewalStopsTheAttempt(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	st := newStore(db.Client, time.Now, 0, nil)
	p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
	if _, _, _, _, err := st.create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}
	// The attempt's own connection breaks.
	broken := redis.NewClient(db.Client.Options())
	if err := broken.Close(); err != nil {
		t.Fatal(err)
	}
	ws := newStore(broken, time.Now, 0, nil)
	ws.lockTTL, ws.renewEvery = fenceTTL, 10*time.Millisecond
	actx, _, stop := ws.keepLocked(ctx, "p1", "owner-1")
	defer stop()
	select {
	case <-actx.Done():
		if !errors.Is(context.Cause(actx), errLockLost) {
			t.Errorf("cause %v, want errLockLost", context.Cause(actx))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a failed renewal did not stop the attempt")
	}
}

// TestLockTimeIsRedisTime: the lock's times come from Redis's clock, so
// a worker whose clock runs an hour ahead neither takes over a live lock
// nor, an hour behind, holds one an hour too long.
func TestLockTimeIsRedisTime(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	behind := newStore(db.Client, func() time.Time { return time.Now().Add(-time.Hour) }, 0, nil)
	ahead := newStore(db.Client, func() time.Time { return time.Now().Add(time.Hour) }, 0, nil)
	p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
	if _, _, _, _, err := behind.create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if b, err := behind.begin(ctx, "p1", "owner-1", 24*time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin by the slow clock = %+v, %v", b, err)
	}
	until := parseMilli(db.Client.HGet(ctx, recordKey("p1"), "lock_until").Val())
	if d := time.Until(until); d < lockTTL-time.Minute || d > lockTTL+time.Minute {
		t.Errorf("lock_until is %s from now, want about %s", d, lockTTL)
	}
	if b, err := ahead.begin(ctx, "p1", "owner-2", 24*time.Hour, nil); err != nil || b.Verdict != "busy" {
		t.Errorf("begin by the fast clock = %+v, %v; want busy", b, err)
	}
	if held, err := ahead.locked(ctx, "p1"); err != nil || !held {
		t.Errorf("locked by the fast clock = %v, %v; want held", held, err)
	}
}
