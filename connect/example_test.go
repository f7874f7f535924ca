package connect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
)

// An app asks for an authorize URL; the user allows at the platform
// (here the sandbox, driven by a script); the platform sends the browser
// to Herald's callback, which stores the account and sends it on to the
// app's return URL.
func Example() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	mux := http.NewServeMux()
	herald := httptest.NewServer(mux)
	defer herald.Close()
	flow, err := connect.New(connect.Options{
		Redis: h.Redis, Keys: h.Keys, Vault: h.Vault,
		Platforms:  []publishers.Platform{sandbox.Platform(h.Sandbox.URL(), nil)},
		PublicURL:  herald.URL,
		ReturnURLs: []string{"https://app.example/connected"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", flow.ServeCallback)

	started, err := flow.Start(ctx, connect.Request{Platform: "sandbox", AccountID: "acct-1", ReturnURL: "https://app.example/connected", Key: "app"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The browser: Allow on the consent page, then the redirects up to
	// the app.
	var back *url.URL
	browser := &http.Client{CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Host == "app.example" {
			back = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.PostForm(started.AuthorizeURL, url.Values{"decision": {"allow"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(back.Query().Get("account_id"), back.Query().Get("status"))
	info, _ := h.Vault.Info(ctx, "acct-1")
	fmt.Println(info.Status, info.Scopes)
	// Output:
	// acct-1 connected
	// active [publish analytics]
}
