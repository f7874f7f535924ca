package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/tokens"
)

// A product app runs Herald's worker in its own process: the platforms'
// descriptors give the worker its publishers and the Vault its token
// refresh, the Vault is wired to jobs with VaultHooks, and Run publishes
// posts until its context ends.
func ExampleWorker() {
	// A private Redis and the sandbox platform for the example; in
	// production: cfg.Redis.NewClient() and the platforms' own URLs.
	h, err := heraldtest.New(context.Background(), heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	rdb := h.Redis

	platforms := []publishers.Platform{sandbox.Platform(h.Sandbox.URL(), nil)}
	key, _ := tokens.GenerateKey("2026-12") // in production: HERALD_TOKEN_KEYS
	keys, err := tokens.ParseKeyring(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := jobs.NewClient(rdb, jobs.WithPlatforms(publishers.Names(platforms)...))
	vault := tokens.New(rdb, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}}, // from each descriptor's Tokens
	}))
	w, err := jobs.NewWorker(rdb, jobs.WorkerConfig{
		Publishers: publishers.RegistryOf(platforms),
		Tokens:     vault,
		Sealer:     keys,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background()) // in production: signal.NotifyContext
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()

	_ = vault.Connect(ctx, tokens.Account{ID: "acct-7", Platform: "sandbox", PlatformUserID: "sb-7",
		Token: &oauth2.Token{AccessToken: "granted", TokenType: "Bearer"}})
	_, err = client.SchedulePost(ctx, jobs.Post{
		ID: "launch-42", AccountID: "acct-7", Platform: "sandbox", PublishAt: time.Now(),
		Content: publishers.Content{Text: "We launched"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := h.Wait(ctx, "launch-42") // reads client.PostStatus until the post's end
	fmt.Println(st.State, st.Attempts, err)

	stop()
	fmt.Println("worker stopped:", <-ran) // nil: the context asked for it
	// Output:
	// published 1 <nil>
	// worker stopped: <nil>
}
