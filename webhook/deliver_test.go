package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/webhook"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const secret = "whsec-0123456789abcdef01234567"

// hook is a receiver answering status, remembering what it verified.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	status   int
	hits     int // requests of any kind
	verified []events.Event
}

func newHook(t *testing.T, status int) *hook {
	h := &hook{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.hits++
		var e events.Event
		if webhook.Verify(r.Header.Get(webhook.SignatureHeader), body, secret, 0, time.Now()) == nil &&
			json.Unmarshal(body, &e) == nil && e.ID == r.Header.Get(webhook.EventIDHeader) && e.Type == r.Header.Get(webhook.EventTypeHeader) {
			h.verified = append(h.verified, e)
		}
		if h.status == http.StatusFound {
			// Following it would deliver here again.
			w.Header().Set("Location", h.URL+"/elsewhere")
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.Close)
	return h
}

// deliver runs one delivery task of e to the endpoint "app" at url.
func deliver(t *testing.T, d *webhook.Deliverer, e events.Event) error {
	t.Helper()
	b, err := json.Marshal(map[string]any{"v": 1, "endpoint": "app", "event": e})
	if err != nil {
		t.Fatal(err)
	}
	return d.ProcessTask(context.Background(), asynq.NewTask(webhook.TaskType, b))
}

// TestDelivererOutcomes: what each answer of the receiver leads to, and
// what the worker's Observe hears.
func TestDelivererOutcomes(t *testing.T) {
	ev := events.Event{ID: "1-0", Type: events.PostPublished, AccountID: "acct-1", PostID: "p1"}
	tests := []struct {
		name     string
		status   int
		age      time.Duration
		outcome  string
		err      bool
		skip     bool // archived at once
		verified int
	}{
		{"delivered", http.StatusNoContent, 0, webhook.Delivered, false, false, 1},
		{"receiver error is retried", http.StatusServiceUnavailable, 0, webhook.Retry, true, false, 1},
		{"redirect is not followed", http.StatusFound, 0, webhook.Retry, true, false, 1},
		{"gone disables", http.StatusGone, 0, webhook.Disabled, false, false, 1},
		{"too old is given up", http.StatusNoContent, 2 * time.Hour, webhook.Failed, true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb := redistest.New(t).Client
			h := newHook(t, tt.status)
			var outcomes []string
			d := webhook.NewDeliverer(rdb, webhook.Config{
				Endpoints: []webhook.Endpoint{{Name: "app", URL: h.URL + "/hooks", Secrets: []string{secret}}},
				MaxAge:    time.Hour,
				Observe:   func(_, o string) { outcomes = append(outcomes, o) },
			})
			e := ev
			e.At = time.Now().Add(-tt.age)
			err := deliver(t, d, e)
			if (err != nil) != tt.err || errors.Is(err, asynq.SkipRetry) != tt.skip {
				t.Errorf("ProcessTask = %v; want error %v, archived %v", err, tt.err, tt.skip)
			}
			if len(outcomes) != 1 || outcomes[0] != tt.outcome {
				t.Errorf("outcomes %v, want [%s]", outcomes, tt.outcome)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if len(h.verified) != tt.verified || h.hits != tt.verified {
				t.Errorf("receiver got %d requests, verified %d; want %d", h.hits, len(h.verified), tt.verified)
			}
		})
	}
}

// TestGoneDisablesUntilEnabledOrMoved: after a 410 nothing more goes to
// the endpoint's URL; another URL under the same name is another
// receiver, and Enable delivers again.
func TestGoneDisablesUntilEnabledOrMoved(t *testing.T) {
	rdb := redistest.New(t).Client
	ctx := context.Background()
	h := newHook(t, http.StatusGone)
	ep := webhook.Endpoint{Name: "app", URL: h.URL + "/hooks", Secrets: []string{secret}}
	d := webhook.NewDeliverer(rdb, webhook.Config{Endpoints: []webhook.Endpoint{ep}})
	ev := events.Event{ID: "1-0", Type: events.AccountConnected, AccountID: "acct-1", At: time.Now()}
	if err := deliver(t, d, ev); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.status = http.StatusOK
	h.mu.Unlock()
	if err := deliver(t, d, ev); err != nil {
		t.Fatal(err)
	}
	if st, err := webhook.States(ctx, rdb, []webhook.Endpoint{ep}); err != nil || !st[0].Disabled {
		t.Fatalf("States = %+v, %v; want disabled", st, err)
	}
	moved := ep
	moved.URL = h.URL + "/new"
	if st, _ := webhook.States(ctx, rdb, []webhook.Endpoint{moved}); st[0].Disabled {
		t.Error("a new URL is disabled too")
	}
	if err := webhook.Enable(ctx, rdb, "app"); err != nil {
		t.Fatal(err)
	}
	if err := deliver(t, d, ev); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.verified) != 2 {
		t.Errorf("receiver got %d deliveries, want the 410'd one and the one after Enable", len(h.verified))
	}
}
