// Command webhook-receiver is a small receiver of Herald's webhooks: it
// verifies each delivery's signature, skips deliveries it has seen, and
// prints the event. Run it beside Herald:
//
//	HERALD_WEBHOOK_SECRET=<the endpoint's secret> go run ./examples/webhook-receiver -addr 127.0.0.1:9000
//
// with HERALD_WEBHOOKS=local=http://127.0.0.1:9000/hooks/herald and
// HERALD_WEBHOOK_SECRETS=local=<the same secret> in Herald's environment.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/heraldhq/herald/webhook"
)

// event is the part of Herald's event JSON this receiver uses; see the
// README's "Events and webhooks" for every field.
type event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	AccountID string    `json:"account_id"`
	PostID    string    `json:"post_id"`
	URL       string    `json:"url"`
	Reason    string    `json:"reason"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on")
	flag.Parse()
	secret := os.Getenv("HERALD_WEBHOOK_SECRET")
	if secret == "" {
		log.Fatal("set HERALD_WEBHOOK_SECRET to the endpoint's secret")
	}
	http.Handle("POST /hooks/herald", newHandler(secret, os.Stdout))
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	log.Printf("listening on %s", *addr)
	log.Fatal(srv.ListenAndServe())
}

// newHandler verifies, deduplicates and prints deliveries to out.
func newHandler(secret string, out io.Writer) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{} // a real receiver keeps this in its database
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Verify the raw bytes before parsing them.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.Verify(r.Header.Get(webhook.SignatureHeader), body, secret, 0, time.Now()); err != nil {
			http.Error(w, "signature refused", http.StatusUnauthorized)
			return
		}
		var ev event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "not an event", http.StatusBadRequest)
			return
		}
		mu.Lock()
		dup := seen[ev.ID]
		seen[ev.ID] = true
		mu.Unlock()
		if !dup { // deliveries are at least once
			fmt.Fprintf(out, "%s %-24s account=%s post=%s %s%s\n", ev.At.Format(time.RFC3339), ev.Type, ev.AccountID, ev.PostID, ev.URL, ev.Reason)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
