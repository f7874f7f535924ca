package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/webhook"
)

// demoHook is the demo's webhook receiver: the product app's end of
// Herald's webhooks, verifying each delivery as examples/webhook-receiver
// does and counting what arrived.
type demoHook struct {
	URL    string
	secret string
	srv    *http.Server

	mu       sync.Mutex
	verified map[string]bool // event ids
	types    map[string]int
	refused  int
}

func startDemoHook() (*demoHook, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	h := &demoHook{URL: "http://" + ln.Addr().String() + "/hooks/herald", secret: hex.EncodeToString(b),
		verified: map[string]bool{}, types: map[string]int{}}
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *demoHook) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h.mu.Lock()
	defer h.mu.Unlock()
	var ev events.Event
	if webhook.Verify(r.Header.Get(webhook.SignatureHeader), body, h.secret, 0, time.Now()) != nil || json.Unmarshal(body, &ev) != nil {
		h.refused++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if !h.verified[ev.ID] {
		h.verified[ev.ID] = true
		h.types[ev.Type]++
	}
	w.WriteHeader(http.StatusNoContent)
}

// endpoint is the receiver as the worker's configuration names it.
func (h *demoHook) endpoint() webhook.Endpoint {
	return webhook.Endpoint{Name: "demo", URL: h.URL, Secrets: []string{h.secret}}
}

// waitFor waits up to d for n distinct events.
func (h *demoHook) waitFor(ctx context.Context, n int, d time.Duration) {
	deadline := time.Now().Add(d)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for time.Now().Before(deadline) {
		h.mu.Lock()
		got := len(h.verified)
		h.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// summary says what arrived.
func (h *demoHook) summary() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var parts []string
	for typ, n := range h.types {
		parts = append(parts, fmt.Sprintf("%s %d", typ, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d events with a valid signature, %d refused (%s)", len(h.verified), h.refused, strings.Join(parts, ", "))
}

func (h *demoHook) close() { _ = h.srv.Close() }
