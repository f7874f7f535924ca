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
