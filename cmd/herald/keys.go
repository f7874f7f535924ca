package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// runKeys manages the keys that encrypt stored tokens.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: herald keys generate [--id ID] | herald keys rotate")
		return errUsage
	}
	switch args[0] {
	case "generate":
		fs := flags("keys generate", stderr)
		id := fs.String("id", time.Now().UTC().Format("20060102"), "key id (letters, digits, _ or -)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		k, err := tokens.GenerateKey(*id)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, k)
		fmt.Fprintln(stderr, "Put it first in HERALD_TOKEN_KEYS (keep the old keys after it), restart every process, then run `herald keys rotate`.")
		return nil
	case "rotate":
		if err := parseFlags(flags("keys rotate", stderr), args[1:]); err != nil {
			return err
		}
		return rotateKeys(ctx, stdout)
	}
	fmt.Fprintf(stderr, "herald keys: unknown command %q (generate, rotate)\n", args[0])
	return errUsage
}

// rotateKeys re-seals every token with the first key of HERALD_TOKEN_KEYS.
// It is safe beside running workers and may be run again to resume.
func rotateKeys(ctx context.Context, stdout io.Writer) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(io.Discard, cfg.LogFormat, cfg.LogLevel)
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		return err
	}
	vault, keys, err := newVault(cfg, rdb, ps, jobs.NewClient(rdb), log, nil)
	if err != nil {
		return err
	}
	rep, err := vault.Rotate(ctx, func(r tokens.RotateReport) {
		fmt.Fprintf(stdout, "scanned %d, re-sealed %d, failed %d\n", r.Scanned, r.Resealed, len(r.Failed))
	})
	if err != nil {
		return fmt.Errorf("rotate (run it again to resume): %w", err)
	}
	for acct, why := range rep.Failed {
		fmt.Fprintf(stdout, "  %s: %s\n", acct, why)
	}
	fmt.Fprintf(stdout, "done: every readable token is sealed with key %q\n", keys.Primary())
	if len(rep.Failed) > 0 {
		return errors.New("some records could not be re-sealed; they stay as they were")
	}
	return nil
}
