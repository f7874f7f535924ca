package jobs_test

import (
	"context"
	"log"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// A product app that runs Herald's worker in its own process wires the
// Vault to jobs with VaultHooks: disconnecting an account then cancels
// its posts and revokes its token, erasing it deletes what jobs keeps,
// and the worker reads tokens through the Vault.
func ExampleVaultHooks() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()
	keys, err := tokens.ParseKeyring(os.Getenv("HERALD_TOKEN_KEYS"))
	if err != nil {
		log.Fatal(err)
	}
	client := jobs.NewClient(rdb)
	vault := tokens.New(rdb, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}},
	}))

	reg := publishers.NewRegistry() // register the platforms' publishers here
	w, err := jobs.NewWorker(rdb, jobs.WorkerConfig{Publishers: reg, Tokens: vault, Sealer: keys})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
