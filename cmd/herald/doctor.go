package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redischeck"
)

// runDoctor checks the configuration and Redis and prints what it found.
// It exits non-zero when Herald could not run safely.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("doctor", stderr), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stdout, "configuration: PROBLEM")
		fmt.Fprintln(stdout, indent(err.Error()))
		return errors.New("configuration is invalid")
	}
	fmt.Fprintln(stdout, "configuration: ok")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, v := range cfg.Values() {
		fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.Value)
	}
	tw.Flush()

	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := redischeck.Check(ctx, rdb)
	if err != nil {
		fmt.Fprintf(stdout, "redis (%s): PROBLEM\n  %v\n", cfg.Redis, err)
		return errors.New("redis is unreachable")
	}
	fmt.Fprintf(stdout, "redis (%s): version %s, mode %s, maxmemory-policy %s, aof %v, rdb %v\n",
		cfg.Redis, r.Version, r.Mode, r.MaxMemoryPolicy, onOff(r.AOF), onOff(r.RDB))
	for _, w := range r.Warnings {
		fmt.Fprintln(stdout, "  WARNING:", w)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(stdout, "  PROBLEM:", p)
	}
	if !r.OK() {
		return errors.New("redis is not fit for Herald")
	}
	fmt.Fprintln(stdout, "all good")
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func indent(s string) string {
	out := "  "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "  "
		}
	}
	return out
}
