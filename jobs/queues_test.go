package jobs_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/webhook"
)

func TestParseQueues(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    map[string]int
		wantErr string // a part of the error; empty: no error
	}{
		{in: "critical=10,publish=6,webhooks=3,analytics=1", want: jobs.Queues()},
		{in: "critical,publish,webhooks,analytics", want: jobs.Queues()},
		{in: "critical,publish", want: map[string]int{"critical": 10, "publish": 6}},
		{in: " publish = 2 , critical ", want: map[string]int{"critical": 10, "publish": 2}},
		{in: "publish,", want: map[string]int{"publish": 6}},
		{in: "analytics=100", want: map[string]int{"analytics": 100}},
		{in: "", wantErr: "no queue named"},
		{in: " , ", wantErr: "no queue named"},
		{in: "critical,default", wantErr: `queue "default" is not one of Herald's queues (critical, publish, webhooks, analytics)`},
		{in: "Publish", wantErr: `queue "Publish" is not one of`},
		{in: "publish,publish=3", wantErr: `queue "publish" is named twice`},
		{in: "publish=0", wantErr: `queue "publish": weight "0" is not a whole number from 1 to 100`},
		{in: "publish=101", wantErr: `weight "101"`},
		{in: "publish=-1", wantErr: `weight "-1"`},
		{in: "publish=six", wantErr: `weight "six"`},
		{in: "publish=", wantErr: `weight ""`},
		{in: "=5", wantErr: `"=5" names no queue`},
	} {
		got, err := jobs.ParseQueues(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseQueues(%q): %v", tc.in, err)
		case tc.wantErr == "" && !maps.Equal(got, tc.want):
			t.Errorf("ParseQueues(%q) = %v, want %v", tc.in, got, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseQueues(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.wantErr)
		}
	}
}

func TestCheckQueues(t *testing.T) {
	for _, tc := range []struct {
		layout  map[string]int
		wantErr string
	}{
		{layout: jobs.Queues()},
		{layout: map[string]int{"publish": 1}},
		{layout: map[string]int{}, wantErr: "no queue named"},
		{layout: nil, wantErr: "no queue named"},
		{layout: map[string]int{"publish": 0}, wantErr: `queue "publish": weight 0`},
		{layout: map[string]int{"publish": 101}, wantErr: `weight 101`},
		{layout: map[string]int{"publish": 1, "default": 1}, wantErr: `queue "default" is not one of`},
	} {
		err := jobs.CheckQueues(tc.layout)
		if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("CheckQueues(%v) = %v, want %q", tc.layout, err, tc.wantErr)
		}
	}
}

func TestFormatQueuesOrdersByUrgency(t *testing.T) {
	if got, want := jobs.FormatQueues(jobs.Queues()), "critical=10,publish=6,webhooks=3,analytics=1"; got != want {
		t.Errorf("FormatQueues(Queues()) = %q, want %q", got, want)
	}
	if got, want := jobs.FormatQueues(map[string]int{"zz": 1, "analytics": 2, "aa": 3}), "analytics=2,aa=3,zz=1"; got != want {
		t.Errorf("FormatQueues = %q, want %q", got, want)
	}
}

// FuzzParseQueues: the layout comes from the environment or a flag.
// Parsing never panics, and what it accepts is a layout NewWorker takes
// that reads back the same.
func FuzzParseQueues(f *testing.F) {
	for _, s := range []string{"critical=10,publish=6", "critical,publish", "publish=0", "x=1", "=", ",,", "publish=1,publish"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		layout, err := jobs.ParseQueues(s)
		if err != nil {
			return
		}
		if err := jobs.CheckQueues(layout); err != nil {
			t.Fatalf("ParseQueues(%q) accepted %v, which CheckQueues refuses: %v", s, layout, err)
		}
		again, err := jobs.ParseQueues(jobs.FormatQueues(layout))
		if err != nil || !maps.Equal(again, layout) {
			t.Fatalf("ParseQueues(%q) = %v does not read back: %v, %v", s, layout, again, err)
		}
	})
}

func ExampleParseQueues() {
	// A publish worker: revocations and posts, with the default weights.
	layout, err := jobs.ParseQueues("critical,publish")
	if err != nil {
		panic(err)
	}
	fmt.Println(jobs.FormatQueues(layout))
	_, err = jobs.ParseQueues("critical,posts")
	fmt.Println(err)
	// Output:
	// critical=10,publish=6
	// queue "posts" is not one of Herald's queues (critical, publish, webhooks, analytics)
}

// TestNewWorkerRefusesABadQueueLayout: asynq drops a queue of weight 0
// without a word, and a layout left empty serves asynq's "default" queue,
// which no Herald task is in.
func TestNewWorkerRefusesABadQueueLayout(t *testing.T) {
	e := newEnv(t)
	for _, layout := range []map[string]int{{}, {"publish": 0}, {"publish": 6, "posts": 1}} {
		_, err := jobs.NewWorker(e.rdb, jobs.WorkerConfig{Publishers: e.registry(nil), Tokens: e.sandboxVault(), Queues: layout})
		if err == nil || !strings.Contains(err.Error(), "WorkerConfig.Queues") {
			t.Errorf("NewWorker with queues %v: %v, want an error naming WorkerConfig.Queues", layout, err)
		}
	}
}

// TestPublishWorkerRunsNoWebhookDispatcher: a worker that does not serve
// the webhooks queue leaves the events stream alone even with endpoints
// configured; the worker that serves webhooks reads it. The post's
// events are in the stream before the publish worker stops, and Run
// returns only after its dispatcher, had it one, joined the group.
func TestPublishWorkerRunsNoWebhookDispatcher(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t)
	hooks := webhook.Config{Endpoints: []webhook.Endpoint{{Name: "app", URL: r.URL + "/hooks", Secrets: []string{hookSecret}}}}
	stop := e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Queues = map[string]int{jobs.QueueCritical: 10, jobs.QueuePublish: 6}
		c.Webhooks = hooks
	})
	e.schedule(e.post("p1", time.Now()))
	e.waitState("p1", jobs.StatePublished, 20*time.Second)
	stop()
	groups, err := e.rdb.XInfoGroups(context.Background(), events.Stream).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 0 {
		t.Fatalf("a publish worker joined the events stream as %v", groups)
	}

	// The background worker reads the stream and delivers.
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Queues = map[string]int{jobs.QueueCritical: 10, jobs.QueueWebhooks: 3, jobs.QueueAnalytics: 1}
		c.Webhooks = hooks
	})
	eventually.True(t, 10*time.Second, func() bool {
		groups, err := e.rdb.XInfoGroups(context.Background(), events.Stream).Result()
		return err == nil && len(groups) == 1
	}, "the background worker's dispatcher joined the events stream")
	if err := e.appendEvent(events.AccountConnected, "acct-1", "sandbox"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 20*time.Second, func() bool { return len(r.events()) == 1 }, "the event delivered")
}
