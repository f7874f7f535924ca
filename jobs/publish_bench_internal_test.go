//go:build unix

package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/cputime"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// acceptAll is a platform that takes every post at once.
type acceptAll struct{}

func (acceptAll) Publish(_ context.Context, req publishers.Request) (publishers.Result, error) {
	return publishers.Result{RemoteID: "r-" + req.PostID, URL: "https://sandbox.invalid/" + req.PostID}, nil
}

func (acceptAll) Analytics(context.Context, publishers.AnalyticsRequest) (publishers.Analytics, error) {
	return publishers.Analytics{}, nil
}

// BenchmarkPublishAttempt is one publish attempt as a worker runs it
// (begin with the token read, the platform call, finish with the event,
// the attempts index and the record's expiry), one at a time on a
// private Redis, with a no-op platform: Herald's own cost per task,
// without asynq's. redis-µs/op is redis-server's time in commands per
// attempt (INFO commandstats), which is steadier than wall time on a
// shared machine.
func BenchmarkPublishAttempt(b *testing.B) {
	// A server of its own: the tests' shared one, with its 1024
	// databases, spends CPU on them in the background.
	ctx := context.Background()
	srv, err := redisserver.Start(ctx, redisserver.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Stop)
	rdb := redis.NewClient(srv.Options(0))
	b.Cleanup(func() { rdb.Close() })
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	vault := tokens.New(rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}, Logger: log})
	const accounts = 10
	for i := range accounts {
		id := "acct-" + strconv.Itoa(i)
		if err := vault.Connect(ctx, tokens.Account{ID: id, Platform: "sandbox", PlatformUserID: "u-" + id, Token: &oauth2.Token{AccessToken: "t", TokenType: "Bearer"}}); err != nil {
			b.Fatal(err)
		}
	}
	c := NewClient(rdb)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	posts := make([]Post, b.N)
	for i := range posts {
		posts[i] = Post{ID: fmt.Sprintf("p-%d", i), AccountID: "acct-" + strconv.Itoa(i%accounts), Platform: "sandbox", PublishAt: at,
			Content: publishers.Content{Title: "Benchmark post", Text: "Herald benchmark post number " + strconv.Itoa(i) + ". " + strings.Repeat("Lorem ipsum dolor sit amet. ", 8)}}
	}
	for i := 0; i < len(posts); i += MaxBatch {
		if _, err := c.SchedulePosts(ctx, posts[i:min(len(posts), i+MaxBatch)]); err != nil {
			b.Fatal(err)
		}
	}
	st := newStore(rdb, time.Now, 0, nil)
	st.retention = DefaultRetention
	st.trackAttempts = true
	reg := publishers.NewRegistry()
	reg.Register("sandbox", acceptAll{})
	published := 0
	h := &publishHandler{store: st, publishers: reg, tokens: vault, sealer: keys, maxLateness: 24 * time.Hour, log: log,
		observe: func(o Outcome) {
			if o.State == StatePublished {
				published++
			}
		}}
	b.ReportAllocs()
	redis0, go0 := redisCPU(b, rdb), cputime.Process()
	b.ResetTimer()
	for i := range b.N {
		if err := h.publish(ctx, posts[i].ID, posts[i].AccountID); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cputime.Process()-go0).Microseconds())/float64(b.N), "go-cpu-µs/op")
	b.ReportMetric(float64((redisCPU(b, rdb)-redis0).Microseconds())/float64(b.N), "redis-cpu-µs/op")
	if published != b.N {
		b.Fatalf("%d of %d published", published, b.N)
	}
}

// redisCPU is the CPU time redis-server has used (INFO cpu).
func redisCPU(b *testing.B, rdb *redis.Client) time.Duration {
	d, err := cputime.Redis(context.Background(), rdb)
	if err != nil {
		b.Fatal(err)
	}
	return d
}
