package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// connectThroughConsent connects the demo's account as a product app
// would with Herald running the consent: it asks for an authorize URL,
// lets a script click Allow on the sandbox's consent page, and follows
// the browser's way back through Herald's callback to the app. It then
// prints a fresh authorize URL for a person to click through (another
// account, valid 10 minutes). The callback and the app's page are served
// on a loopback port of their own, as `herald api` would serve them.
func (d *demo) connectThroughConsent(ctx context.Context, ps []publishers.Platform, keys *tokens.Keyring) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo callback: %w", err)
	}
	base := "http://" + ln.Addr().String()
	flow, err := connect.New(connect.Options{
		Redis: d.rdb, Keys: keys, Vault: d.vault, Platforms: ps,
		PublicURL: base, ReturnURLs: []string{base + "/app/"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", flow.ServeCallback)
	mux.HandleFunc("GET /app/connected", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "The app got: account %s, status %s %s\n", r.URL.Query().Get("account_id"), r.URL.Query().Get("status"), r.URL.Query().Get("error"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ErrServerClosed at close
	d.stops = append(d.stops, func() { srv.Close() })

	ret := base + "/app/connected"
	started, err := flow.Start(ctx, connect.Request{Platform: "sandbox", AccountID: "demo-account", ReturnURL: ret, Key: "demo"})
	if err != nil {
		return fmt.Errorf("connect the demo account: %w", err)
	}
	d.out.say("connecting demo-account through the sandbox's consent page: %s", started.AuthorizeURL)
	status, err := allowAndFollow(ctx, started.AuthorizeURL, base+"/app/")
	if err != nil || status != "connected" {
		return fmt.Errorf("connect the demo account: consent ended %q: %v", status, err)
	}
	d.out.say("connected demo-account (Allow clicked by the demo; token sealed in the Vault)")
	if more, err := flow.Start(ctx, connect.Request{Platform: "sandbox", AccountID: "demo-account-2", ReturnURL: ret, Key: "demo"}); err == nil {
		d.out.say("connect another account yourself within 10 minutes: open %s", more.AuthorizeURL)
	}
	return nil
}

// allowAndFollow posts decision=allow to a consent page and follows the
// redirects until they reach app, returning the status it carries.
func allowAndFollow(ctx context.Context, authorize, app string) (string, error) {
	var status string
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), app) {
			status = r.URL.Query().Get("status")
			return http.ErrUseLastResponse
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, authorize, strings.NewReader(url.Values{"decision": {"allow"}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return status, nil
}
