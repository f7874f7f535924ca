package monitor_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

const testKey = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// TestTaskPayloadsNeverCarryATokenFromAnyFlow produces a task of every
// type Herald has through its public flows, for accounts whose tokens
// are known, and scans every task in every queue and state, payload and
// result, for those tokens.
func TestTaskPayloadsNeverCarryATokenFromAnyFlow(t *testing.T) {
	ctx := context.Background()
	db := redistest.New(t)
	keys, err := tokens.ParseKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	client := jobs.NewClient(db.Client)
	vault := tokens.New(db.Client, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}, "youtube": {}},
	}))

	var secrets []string
	connect := func(id, platform string) {
		t.Helper()
		tok := &oauth2.Token{
			AccessToken:  "AT-" + id + "-7f3a9c1e5b2d4f6a8c0e",
			RefreshToken: "RT-" + id + "-1b3d5f7a9c2e4f6a8b0d",
			TokenType:    "Bearer",
			Expiry:       time.Now().Add(time.Hour),
		}
		if err := vault.Connect(ctx, tokens.Account{ID: id, Platform: platform, PlatformUserID: "u-" + id, Token: tok}); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	}
	connect("acct-1", "sandbox")
	connect("acct-2", "youtube")
	connect("acct-3", "sandbox")

	schedule := func(id, account, platform string, at time.Time) {
		t.Helper()
		_, err := client.SchedulePost(ctx, jobs.Post{
			ID: id, AccountID: account, Platform: platform, PublishAt: at,
			Content: publishers.Content{Title: "Launch", Text: "We launched " + id},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	schedule("post-due", "acct-1", "sandbox", time.Now().Add(-time.Minute)) // pending
	schedule("post-later", "acct-1", "sandbox", time.Now().Add(time.Hour))  // scheduled
	schedule("post-moved", "acct-3", "sandbox", time.Now().Add(time.Hour))
	if _, err := client.ReschedulePost(ctx, "post-moved", time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	schedule("post-yt", "acct-2", "youtube", time.Now().Add(time.Hour))
	if err := client.RefreshAnalytics(ctx, "acct-1", "sandbox"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnqueueSweep(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := vault.Disconnect(ctx, "acct-2"); err != nil { // account:revoke, and cancels post-yt
		t.Fatal(err)
	}

	// Each token also as it would appear encoded.
	var needles []string
	for _, s := range secrets {
		needles = append(needles, s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)), url.QueryEscape(s))
	}
	seen := map[string]int{}
	insp := asynq.NewInspectorFromRedisClient(db.Client)
	eachTask(t, insp, func(state string, ti *asynq.TaskInfo) {
		seen[ti.Type]++
		for _, field := range []struct {
			name string
			b    []byte
		}{{"payload", ti.Payload}, {"result", ti.Result}, {"last error", []byte(ti.LastErr)}} {
			for _, n := range needles {
				if strings.Contains(string(field.b), n) {
					t.Errorf("%s task %s (%s, queue %s): %s carries a token", ti.Type, ti.ID, state, ti.Queue, field.name)
				}
			}
		}
	})

	// Every task type Herald defines, and whether a flow above made one.
	// A type without a producer yet is listed here until it has one; add
	// its flow above then.
	noProducerYet := map[string]bool{jobs.TypeWebhookDeliver: true}
	for _, typ := range []string{jobs.TypePublish, jobs.TypeAnalyticsRefresh, jobs.TypeAnalyticsSweep, jobs.TypeAccountRevoke, jobs.TypeWebhookDeliver} {
		switch {
		case seen[typ] == 0 && !noProducerYet[typ]:
			t.Errorf("no %s task was scanned: the test misses a flow", typ)
		case seen[typ] > 0 && noProducerYet[typ]:
			t.Errorf("a %s task exists now: drop it from noProducerYet and produce it above", typ)
		}
	}
	if seen[jobs.TypePublish] < 3 {
		t.Errorf("scanned %d publish tasks, want 3 (one canceled by the disconnect)", seen[jobs.TypePublish])
	}
}

// eachTask calls fn with every task in every queue and state, a page at
// a time.
func eachTask(t *testing.T, insp *asynq.Inspector, fn func(state string, ti *asynq.TaskInfo)) {
	t.Helper()
	queues, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		lists := map[string]func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
			"pending": insp.ListPendingTasks, "active": insp.ListActiveTasks, "scheduled": insp.ListScheduledTasks,
			"retry": insp.ListRetryTasks, "archived": insp.ListArchivedTasks, "completed": insp.ListCompletedTasks,
		}
		for state, list := range lists {
			for page := 1; ; page++ {
				tasks, err := list(q, asynq.Page(page), asynq.PageSize(100))
				if err != nil {
					t.Fatalf("%s %s: %v", q, state, err)
				}
				for _, ti := range tasks {
					fn(state, ti)
				}
				if len(tasks) < 100 {
					break
				}
			}
		}
	}
}
