package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
)

// fullRedis starts a private redis-server whose maxmemory is already
// exceeded: it answers reads and refuses every write with OOM.
func fullRedis(t *testing.T) *redis.Client {
	t.Helper()
	srv, err := redisserver.Start(context.Background(), redisserver.Options{Databases: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	rdb := redis.NewClient(srv.Options(0))
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.ConfigSet(context.Background(), "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	return rdb
}

func TestSchedulingOnAFullRedisSaysSo(t *testing.T) {
	rdb := fullRedis(t)
	if err := rdb.Set(context.Background(), "x", "y", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "OOM") {
		t.Fatalf("the server is not full: SET answered %v", err)
	}
	c := jobs.NewClient(rdb)
	p := jobs.Post{ID: "p", AccountID: "a", Platform: "sandbox", PublishAt: time.Now().Add(time.Hour)}
	p.Content.Text = "hello"
	_, err := c.SchedulePost(context.Background(), p)
	if !errors.Is(err, jobs.ErrRedisFull) {
		t.Errorf("SchedulePost on a full Redis: %v, want ErrRedisFull", err)
	}
	_, err = c.SchedulePosts(context.Background(), []jobs.Post{p})
	if !errors.Is(err, jobs.ErrRedisFull) {
		t.Errorf("SchedulePosts on a full Redis: %v, want ErrRedisFull", err)
	}
}
