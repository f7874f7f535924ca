package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/heraldhq/herald/webhook"
)

// A receiver verifies the raw body before it parses it.
func ExampleVerify() {
	secret := "whsec-0123456789abcdef01234567" // the endpoint's HERALD_WEBHOOK_SECRETS entry
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := webhook.Verify(r.Header.Get(webhook.SignatureHeader), body, secret, 0, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("verified", r.Header.Get(webhook.EventTypeHeader))
		w.WriteHeader(http.StatusNoContent)
	})

	// What Herald sends:
	body := `{"id":"1767225600000-0","type":"post.published","at":"2026-01-01T00:00:00Z","account_id":"acct-1"}`
	req := httptest.NewRequest(http.MethodPost, "/hooks/herald", strings.NewReader(body))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign([]byte(body), time.Now(), secret))
	req.Header.Set(webhook.EventTypeHeader, "post.published")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// verified post.published
	// 204
}

// An erasure of shop's acct-1 deletes the deliveries of its events, and
// leaves those of blog's acct-1: an app's id names an account only within
// its tenant.
func ExampleTaskAbout() {
	shop := []byte(`{"v":1,"endpoint":"shop-hooks","event":{"id":"1-0","type":"account.connected","tenant":"shop","account_id":"acct-1"}}`)
	blog := []byte(`{"v":1,"endpoint":"blog-hooks","event":{"id":"1-0","type":"account.connected","tenant":"blog","account_id":"acct-1"}}`)
	fmt.Println(webhook.TaskAbout(shop, "shop~acct-1"), webhook.TaskAbout(blog, "shop~acct-1"))
	// Output: true false
}
