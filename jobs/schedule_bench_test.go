package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

func benchPost(i int, at time.Time) jobs.Post {
	return jobs.Post{ID: fmt.Sprintf("b-%d", i), AccountID: fmt.Sprintf("acct-%d", i%100), Platform: "sandbox", PublishAt: at,
		Content: publishers.Content{Title: "Benchmark post", Text: strings.Repeat("Lorem ipsum dolor sit amet. ", 9)}}
}

// BenchmarkSchedulePost: one post at a time, against BenchmarkEnqueue.
func BenchmarkSchedulePost(b *testing.B) {
	db := redistest.New(b)
	c := jobs.NewClient(db.Client)
	at := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.SchedulePost(ctx, benchPost(i, at)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnqueue: bare asynq enqueueing the same posts.
func BenchmarkEnqueue(b *testing.B) {
	db := redistest.New(b)
	q := asynq.NewClientFromRedisClient(db.Client)
	at := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		p := benchPost(i, at)
		if _, err := q.EnqueueContext(ctx, asynq.NewTask(jobs.TypePublish, []byte(p.Content.Text)), asynq.TaskID("publish:"+p.ID), asynq.Queue(jobs.QueuePublish), asynq.ProcessAt(at)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchedulePosts500: batches of 500; ns/op is per post.
func BenchmarkSchedulePosts500(b *testing.B) {
	db := redistest.New(b)
	c := jobs.NewClient(db.Client)
	at := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i += jobs.MaxBatch {
		batch := make([]jobs.Post, 0, jobs.MaxBatch)
		for j := i; j < min(b.N, i+jobs.MaxBatch); j++ {
			batch = append(batch, benchPost(j, at))
		}
		if _, err := c.SchedulePosts(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
