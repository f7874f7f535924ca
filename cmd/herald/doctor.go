package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// doctorLatencyWarn is how long a task may wait in a queue before doctor
// calls it a backlog.
const doctorLatencyWarn = 5 * time.Minute

// doctorListMax is how many unopened tokens doctor names.
const doctorListMax = 10

// runDoctor checks the configuration, Redis, the platforms' credentials,
// the keyring against every stored token, the queues, the workers and
// Redis's room for their connections, prints what it
// found and ends with a verdict. It exits non-zero when Herald could not
// run safely.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("doctor", stderr), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stdout, "configuration: PROBLEM")
		fmt.Fprintln(stdout, indent(err.Error()))
		fmt.Fprintln(stdout, "verdict: NOT OK: the configuration is invalid")
		return errors.New("configuration is invalid")
	}
	fmt.Fprintln(stdout, "configuration: ok")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, v := range cfg.Values() {
		fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.Value)
	}
	tw.Flush()
	doctorTenants(stdout, cfg)

	d := &diagnosis{w: stdout}
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	r, err := redischeck.Check(ctx, rdb)
	if err != nil {
		fmt.Fprintf(stdout, "redis (%s): PROBLEM\n  %v\n", cfg.Redis, err)
		fmt.Fprintln(stdout, "verdict: NOT OK: Redis is unreachable")
		return errors.New("redis is unreachable")
	}
	fmt.Fprintf(stdout, "redis (%s): version %s, mode %s, maxmemory-policy %s, aof %v, rdb %v\n",
		cfg.Redis, r.Version, r.Mode, r.MaxMemoryPolicy, onOff(r.AOF), onOff(r.RDB))
	for _, w := range r.Warnings {
		d.warn("%s", w)
	}
	for _, p := range r.Problems {
		d.problem("%s", p)
	}

	census := doctorTokens(ctx, d, cfg, rdb)
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		d.problem("platforms: %v", err)
	}
	doctorPlatforms(d, ps, census, time.Now())
	insp := asynq.NewInspectorFromRedisClient(rdb)
	qs := doctorQueues(d, insp)
	if live, ok := doctorWorkers(d, insp, qs); ok {
		doctorClients(ctx, d, rdb, live)
	}
	return d.verdict()
}

// doctorTenants shows each tenant with the names of its API keys and
// webhook endpoints (never a token or secret). Doctor itself stays an
// operator's view over every tenant.
func doctorTenants(w io.Writer, cfg config.Config) {
	ts := cfg.TenantList()
	if cfg.Tenants == "" {
		fmt.Fprintln(w, "tenants: default only (HERALD_TENANTS is not set)")
	} else {
		fmt.Fprintf(w, "tenants: %d\n", len(ts))
	}
	list := func(names []string) string {
		if len(names) == 0 {
			return "-"
		}
		return strings.Join(names, ",")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range ts {
		fmt.Fprintf(tw, "  %s\tkeys: %s\tendpoints: %s", t.Name, list(t.Keys), list(t.Endpoints))
		if len(t.Unchecked) > 0 {
			fmt.Fprintf(tw, "\tnot configured in this process: %s", list(t.Unchecked))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// diagnosis collects warnings and problems as they are printed.
type diagnosis struct {
	w                  io.Writer
	warnings, problems int
}

func (d *diagnosis) warn(format string, args ...any) {
	d.warnings++
	fmt.Fprintf(d.w, "  WARNING: "+format+"\n", args...)
}

func (d *diagnosis) problem(format string, args ...any) {
	d.problems++
	fmt.Fprintf(d.w, "  PROBLEM: "+format+"\n", args...)
}

func (d *diagnosis) verdict() error {
	switch {
	case d.problems > 0:
		fmt.Fprintf(d.w, "verdict: NOT OK: %s, %s\n", plural(d.problems, "problem"), plural(d.warnings, "warning"))
		return fmt.Errorf("%s found", plural(d.problems, "problem"))
	case d.warnings > 0:
		fmt.Fprintf(d.w, "verdict: OK with %s\n", plural(d.warnings, "warning"))
	default:
		fmt.Fprintln(d.w, "verdict: OK")
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// doctorTokens counts the Vault's accounts and opens every sealed token
// with HERALD_TOKEN_KEYS (in memory; nothing is printed but ids and
// counts).
func doctorTokens(ctx context.Context, d *diagnosis, cfg config.Config, rdb redis.UniversalClient) tokens.Census {
	var keys *tokens.Keyring
	if cfg.TokenKeys != "" {
		k, err := tokens.ParseKeyring(cfg.TokenKeys)
		if err != nil {
			fmt.Fprintln(d.w, "tokens: PROBLEM")
			d.problem("HERALD_TOKEN_KEYS: %v", err)
		} else {
			keys = k
		}
	}
	c, err := tokens.TakeCensus(ctx, rdb, keys)
	if err != nil {
		fmt.Fprintln(d.w, "tokens: PROBLEM")
		d.problem("%v", err)
		return c
	}
	total := 0
	for _, a := range c.Accounts {
		total += int(a.N)
	}
	var byStatus []string
	for _, a := range c.Accounts {
		byStatus = append(byStatus, fmt.Sprintf("%s %s %d", a.Platform, a.Status, a.N))
	}
	sealed, byKey := 0, []string{}
	for kid, n := range c.Sealed {
		sealed += n
		byKey = append(byKey, fmt.Sprintf("%s: %d", kid, n))
	}
	sort.Strings(byKey)
	fmt.Fprintf(d.w, "tokens: %d accounts (%s); %d sealed tokens by key (%s)\n",
		total, orNone(strings.Join(byStatus, ", ")), sealed, orNone(strings.Join(byKey, ", ")))
	if c.Missing > 0 {
		fmt.Fprintf(d.w, "  note: %d account ids in herald:accounts have no token record (erased or expired tombstones)\n", c.Missing)
	}
	switch {
	case keys == nil && cfg.TokenKeys == "" && sealed > 0:
		d.problem("HERALD_TOKEN_KEYS is not set: %d stored tokens cannot be opened and workers will not start", sealed)
	case keys == nil && cfg.TokenKeys == "":
		d.warn("HERALD_TOKEN_KEYS is not set: workers need it (herald keys generate makes one)")
	case keys == nil:
		// ParseKeyring's problem is printed.
	case len(c.Unopened) == 0:
		fmt.Fprintf(d.w, "  keyring opens all %d sealed tokens\n", c.Opened)
	default:
		d.problem("%d of %d sealed tokens do not open with HERALD_TOKEN_KEYS:", len(c.Unopened), c.Opened+len(c.Unopened))
		for i, u := range c.Unopened {
			if i == doctorListMax {
				fmt.Fprintf(d.w, "    ... and %d more\n", len(c.Unopened)-i)
				break
			}
			kind := "token"
			if u.Revoking {
				kind = "token awaiting revocation"
			}
			fmt.Fprintf(d.w, "    account %s (%s) %s sealed with key %q: %v\n", u.AccountID, u.Platform, kind, u.KeyID, unwrapAccount(u.Err))
		}
	}
	if keys != nil {
		old := 0
		for kid, n := range c.Sealed {
			if kid != keys.Primary() {
				old += n
			}
		}
		if old > 0 {
			d.warn("%s sealed with keys other than %q: run `herald keys rotate`, then drop the old keys", plural(old, "token"), keys.Primary())
		}
	}
	return c
}

// unwrapAccount drops the "account X: " the error repeats.
func unwrapAccount(err error) error {
	if errors.Is(err, tokens.ErrUnknownKey) {
		return tokens.ErrUnknownKey
	}
	if errors.Is(err, tokens.ErrCorrupt) {
		return tokens.ErrCorrupt
	}
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// doctorPlatforms says, for each platform, whether Herald has what it
// needs to refresh and revoke its accounts' tokens (the platform's
// descriptor says what that is and how bad its absence is), and what
// caps its posting, and what its descriptor's Review finds at now.
func doctorPlatforms(d *diagnosis, ps []publishers.Platform, c tokens.Census, now time.Time) {
	active := map[string]int64{}
	for _, a := range c.Accounts {
		if a.Status == tokens.StatusActive {
			active[a.Platform] += a.N
		}
	}
	fmt.Fprintln(d.w, "platforms:")
	for _, p := range ps {
		n, k := active[p.Name], p.Doctor
		switch {
		case k.Configured:
			fmt.Fprintf(d.w, "  %s: configured; %s\n", p.Name, plural(int(n), "active account"))
		case n == 0:
			fmt.Fprintf(d.w, "  %s: not configured (%s); no active accounts\n", p.Name, k.Settings)
		case k.Without == "":
			fmt.Fprintf(d.w, "  %s: %s; %s not set (%s)\n", p.Name, plural(int(n), "active account"), k.Settings, k.Optional)
		case k.Severe:
			d.problem("%s: %s but %s not set: %s", p.Name, plural(int(n), "active account"), k.Settings, k.Without)
		default:
			d.warn("%s: %s but %s not set: %s", p.Name, plural(int(n), "active account"), k.Settings, k.Without)
		}
		if p.Quota != "" {
			fmt.Fprintf(d.w, "    quota: %s\n", p.Quota)
		}
		if k.Review == nil {
			continue
		}
		for _, f := range k.Review(now) {
			if f.Problem {
				d.problem("%s: %s", p.Name, f.Message)
			} else {
				d.warn("%s: %s", p.Name, f.Message)
			}
		}
	}
}

// doctorQueues prints every queue's sizes and how long its oldest pending
// task has waited, and returns them.
func doctorQueues(d *diagnosis, insp *asynq.Inspector) []monitor.Queue {
	qs, err := monitor.Queues(insp)
	if err != nil {
		fmt.Fprintln(d.w, "queues: PROBLEM")
		d.problem("%v", err)
		return qs
	}
	if len(qs) == 0 {
		fmt.Fprintln(d.w, "queues: none yet (nothing was ever enqueued)")
		return qs
	}
	fmt.Fprintln(d.w, "queues:")
	tw := tabwriter.NewWriter(d.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  queue\tsize\tpending\tactive\tscheduled\tretry\tarchived\toldest pending\t")
	for _, q := range qs {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", q.Name, q.Size, q.Pending, q.Active, q.Scheduled, q.Retry, q.Archived, q.OldestPending.Round(time.Second))
	}
	tw.Flush()
	for _, q := range qs {
		if q.Paused {
			d.warn("queue %s is paused: nothing in it runs until it is resumed (asynqmon)", q.Name)
		}
		if q.Pending > 0 && q.OldestPending > doctorLatencyWarn {
			d.warn("queue %s: the oldest pending task has waited %s: are workers running?", q.Name, q.OldestPending.Round(time.Second))
		}
		if q.Archived > 0 {
			fmt.Fprintf(d.w, "  note: %d archived tasks in %s (failed for good; reasons in asynqmon)\n", q.Archived, q.Name)
		}
	}
	return qs
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
