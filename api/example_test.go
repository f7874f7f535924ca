package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/heraldhq/herald/api"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// An app connects an account and schedules a post over HTTP.
func ExampleNew() {
	db, err := redistest.Open() // in production: config.Load() then cfg.Redis.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Client.Close()
	client := jobs.NewClient(db.Client)
	keys, _ := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	vault := tokens.New(db.Client, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}},
	}))
	apiKeys, _ := api.ParseTokens("my-app:0f8e9d7c6b5a49382716a5b4c3d2e1f0") // HERALD_API_TOKENS
	h, err := api.New(api.Options{
		Client: client,
		Vault:  vault,
		Tokens: apiKeys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	call := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer 0f8e9d7c6b5a49382716a5b4c3d2e1f0")
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		fmt.Println(method, path, res.Status)
	}
	call("POST", "/v1/accounts", `{"account_id":"acct-7","platform":"sandbox","access_token":"tok"}`)
	post := fmt.Sprintf(`{"post_id":"launch-42","account_id":"acct-7","platform":"sandbox",
		"publish_at":%q,"content":{"title":"We launched"}}`, time.Now().Add(time.Hour).Format(time.RFC3339))
	call("POST", "/v1/posts", post)
	call("POST", "/v1/posts", post) // a retry of the same request
	call("DELETE", "/v1/posts/launch-42", "")
	// Output:
	// POST /v1/accounts 201 Created
	// POST /v1/posts 201 Created
	// POST /v1/posts 200 OK
	// DELETE /v1/posts/launch-42 200 OK
}
