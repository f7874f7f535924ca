package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/redistest"
)

// The sweep removes an index entry of a gone record only while its score
// is the one the sweep saw: a post scheduled again under the id moved it.
func TestSweepKeepsAnEntryThatMoved(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	s := newStore(db.Client, time.Now, 0, nil)
	key := accountPostsKey("a")
	db.Client.ZAdd(ctx, key, redisZ(5000, "moved"), redisZ(1000, "stale"))
	o := clientOptions{retention: time.Hour, maxLateness: time.Minute}
	var st SweepStats
	seen := []indexEntry{{Score: 1000, ID: "moved"}, {Score: 1000, ID: "stale"}}
	if err := s.sweepEntries(ctx, o, "a", seen, &st); err != nil {
		t.Fatal(err)
	}
	ids, _ := db.Client.ZRange(ctx, key, 0, -1).Result()
	if st.Trimmed != 1 || len(ids) != 1 || ids[0] != "moved" {
		t.Errorf("trimmed %d, index %v; want only the stale entry removed", st.Trimmed, ids)
	}
}

// A record that expires already keeps its time: a sweep with a longer
// retention does not extend it.
func TestExpireFinalKeepsAnExpiry(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	s := newStore(db.Client, time.Now, 0, nil)
	db.Client.HSet(ctx, recordKey("p"), "state", "published", "updated_at", time.Now().UnixMilli())
	if err := s.expireFinal(ctx, time.Hour, "p"); err != nil {
		t.Fatal(err)
	}
	if err := s.expireFinal(ctx, 48*time.Hour, "p"); err != nil {
		t.Fatal(err)
	}
	if d := db.Client.PTTL(ctx, recordKey("p")).Val(); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("expires in %v, want about 1h", d)
	}
}

func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }

// finish gives the record it ends its expiry in the same step, and only
// that one: a refused finish (fenced, or from a state not allowed) or
// one that does not end the post sets none, and a record that expires
// already keeps its time.
func TestFinishExpiresOnlyWhatItEnds(t *testing.T) {
	const retention = 48 * time.Hour
	for _, tc := range []struct {
		name   string
		record []any // besides state publishing and owner-1's lock
		ttl    time.Duration
		owner  string
		from   []State
		state  State
		want   time.Duration // about; -1: none
	}{
		{name: "ends the post", owner: "owner-1", state: StatePublished, want: retention},
		{name: "fenced", owner: "owner-2", state: StatePublished, want: -1},
		{name: "state not allowed", owner: "owner-1", from: []State{StateScheduled}, state: StateFailed, want: -1},
		{name: "retried", owner: "owner-1", state: StateScheduled, want: -1},
		{name: "expiring already", owner: "owner-1", ttl: time.Hour, state: StatePublished, want: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := redistest.New(t)
			ctx := context.Background()
			s := newStore(db.Client, time.Now, 0, nil)
			s.retention = retention
			db.Client.HSet(ctx, recordKey("p"), "state", "publishing", "lock_owner", "owner-1", "lock_until", time.Now().Add(time.Minute).UnixMilli())
			if tc.ttl > 0 {
				db.Client.Expire(ctx, recordKey("p"), tc.ttl)
			}
			if _, err := s.finish(ctx, "p", tc.owner, tc.from, nil, "state", string(tc.state)); err != nil {
				t.Fatal(err)
			}
			d := db.Client.PTTL(ctx, recordKey("p")).Val()
			if tc.want < 0 && d >= 0 {
				t.Errorf("expires in %v, want no expiry", d)
			}
			if tc.want > 0 && (d <= tc.want-time.Minute || d > tc.want) {
				t.Errorf("expires in %v, want about %v", d, tc.want)
			}
		})
	}
}
