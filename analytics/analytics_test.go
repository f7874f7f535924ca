package analytics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// TestSaveKeepsOnePointPerDayAndTheCap: the history has one point per
// day (a later snapshot of the same day replaces its point), newest
// first, at most historyDays of them; Forget leaves nothing.
func TestSaveKeepsOnePointPerDayAndTheCap(t *testing.T) {
	rdb := redistest.New(t).Client
	ctx := context.Background()
	if _, err := Latest(ctx, rdb, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Latest before any = %v, want ErrNotFound", err)
	}
	day0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{day0, day0.Add(time.Hour), day0.AddDate(0, 0, 1), day0.AddDate(0, 0, 2), day0.AddDate(0, 0, 3)} {
		s := Snapshot{AccountID: "a", Platform: "sandbox", At: at, Account: publishers.Metrics{publishers.MetricFollowers: int64(i)}}
		if err := save(ctx, rdb, s, 3); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := History(ctx, rdb, "a")
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, p := range hist {
		days = append(days, p.Day)
	}
	if want := []string{"2026-03-04", "2026-03-03", "2026-03-02"}; len(days) != 3 || days[0] != want[0] || days[2] != want[2] {
		t.Errorf("history days %v, want %v", days, want)
	}
	if snap, err := Latest(ctx, rdb, "a"); err != nil || snap.Account[publishers.MetricFollowers] != 4 {
		t.Errorf("Latest = %+v, %v", snap, err)
	}
	if n, err := Forget(ctx, rdb, "a"); err != nil || n != 2 {
		t.Errorf("Forget = %d, %v; want the snapshot and the history deleted", n, err)
	}
	if keys := rdb.Keys(ctx, "*").Val(); len(keys) != 0 {
		t.Errorf("after Forget: keys %v", keys)
	}
}

// TestSameDayReplacesItsPoint: a second snapshot of a day replaces the
// day's point instead of adding one.
func TestSameDayReplacesItsPoint(t *testing.T) {
	rdb := redistest.New(t).Client
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		s := Snapshot{AccountID: "a", At: at.Add(time.Duration(i) * time.Hour), Account: publishers.Metrics{publishers.MetricViews: int64(10 * i)}}
		if err := save(ctx, rdb, s, 90); err != nil {
			t.Fatal(err)
		}
	}
	hist, _ := History(ctx, rdb, "a")
	if len(hist) != 1 || hist[0].Account[publishers.MetricViews] != 20 {
		t.Errorf("history %+v, want one point with the day's last reading", hist)
	}
}

func TestSpreadStaysInTheInterval(t *testing.T) {
	for _, acct := range []string{"a", "acct-1", "x.y:z", ""} {
		if d := spread(acct, time.Hour); d < 0 || d >= time.Hour {
			t.Errorf("spread(%q) = %s, outside [0, 1h)", acct, d)
		}
		if spread(acct, time.Hour) != spread(acct, time.Hour) {
			t.Errorf("spread(%q) not stable", acct)
		}
	}
}
