package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// The operator's CLI: posts, accounts and the events stream, straight
// through jobs.Client and tokens.Vault (no API server needed). Output is a
// table, or JSON with --json. Tokens are read from a file or standard
// input, never from the command line, where ps and shell history would
// keep them.

// cliEnv is what a CLI command works with.
type cliEnv struct {
	cfg    config.Config
	rdb    redis.UniversalClient
	client *jobs.Client // bound to tenant
	vault  *tokens.Vault
	// tenant is --tenant: the tenant whose accounts and posts the
	// command names (tenant.Default unless given).
	tenant string
}

// tenantFlag adds --tenant to fs.
func tenantFlag(fs *flag.FlagSet) *string {
	return fs.String("tenant", tenant.Default, "the tenant whose accounts and posts the command names (HERALD_TENANTS)")
}

// useTenant binds e to tenant t, a valid name and, when HERALD_TENANTS
// configures tenants, one of them: a misspelt tenant would otherwise
// store accounts and posts no API key can reach.
func (e *cliEnv) useTenant(t string) error {
	if err := tenant.Check(t); err != nil {
		return fmt.Errorf("--tenant: %w", err)
	}
	if tc := e.cfg.TenantConfig(); e.cfg.Tenants != "" && !tc.Has(t) {
		return fmt.Errorf("--tenant=%s: not a tenant of HERALD_TENANTS (%s)", t, strings.Join(tc.Names(), ", "))
	}
	e.tenant, e.client = t, e.client.ForTenant(t)
	return nil
}

// stored is the Vault's id of the app's account id, in e's tenant,
// checked by the app's id rule first: a stored id given as an id
// ("shop~acct-1") would reach another tenant's account.
func (e *cliEnv) stored(id string) (string, error) {
	if fe := input.CheckID("account_id", id); fe != nil {
		return "", fe
	}
	return tenant.Qualify(e.tenant, id), nil
}

func openCLI(stderr io.Writer, needVault bool) (*cliEnv, func(), error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, err
	}
	rdb := cfg.Redis.NewClient()
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		rdb.Close()
		return nil, nil, err
	}
	e := &cliEnv{cfg: cfg, rdb: rdb, client: newClient(cfg, rdb, ps, nil)}
	if needVault {
		if e.vault, _, err = newVault(cfg, rdb, ps, e.client, newLogger(stderr, cfg.LogFormat, cfg.LogLevel), nil); err != nil {
			rdb.Close()
			return nil, nil, err
		}
	}
	return e, func() { rdb.Close() }, nil
}

// readJSONArg decodes the JSON in file ("-" for standard input) into v.
func readJSONArg(file string, v any) error {
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// parseSub parses a subcommand's arguments into fs: first, when withArg,
// the positional argument (an id, a name) in front of its flags, printing
// usage when there is none; then the flags.
func parseSub(fs *flag.FlagSet, args []string, withArg bool, usage string) (arg string, err error) {
	if withArg {
		if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
			fmt.Fprintln(fs.Output(), usage)
			return "", errUsage
		}
		arg, args = args[0], args[1:]
	}
	return arg, parseFlags(fs, args)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printStatus(w io.Writer, asJSON bool, st jobs.PostStatus) error {
	if asJSON {
		return printJSON(w, st)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "post\t%s\naccount\t%s (%s)\nstate\t%s\npublish at\t%s\nattempts\t%d\n",
		st.PostID, st.AccountID, st.Platform, st.State, st.PublishAt.Format(time.RFC3339), st.Attempts)
	if st.URL != "" {
		fmt.Fprintf(tw, "url\t%s\n", st.URL)
	}
	if st.FailureClass != "" {
		fmt.Fprintf(tw, "failed\t%s: %s\n", st.FailureClass, st.Reason)
	}
	if st.LastError != "" {
		fmt.Fprintf(tw, "last error\t%s\n", st.LastError)
	}
	return tw.Flush()
}

// runPost: herald post schedule|status|cancel|reschedule|import|export.
func runPost(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: herald post schedule --file post.json | status ID | cancel ID | reschedule ID --at RFC3339 [--json] [--tenant T]\n" +
		"       herald post status --group ID | cancel --group ID [--json] [--tenant T]\n" +
		"       herald post import --file posts.jsonl|posts.csv [--format jsonl|csv] [--tenant T]\n" +
		"       herald post export --account ID [--from RFC3339] [--to RFC3339] [--state STATE] [--tenant T]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	fs := flags("post "+args[0], stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	file := fs.String("file", "-", "schedule: the post as JSON (the API's body), - for standard input")
	at := fs.String("at", "", "reschedule: the new publish time, RFC 3339 with a zone")
	format := fs.String("format", "", "import: jsonl or csv (default: from the file's extension)")
	account := fs.String("account", "", "export: the account whose posts to write")
	from := fs.String("from", "", "export: only posts publishing at or after this RFC 3339 time")
	to := fs.String("to", "", "export: only posts publishing before this RFC 3339 time")
	state := fs.String("state", "", "export: only posts in this state")
	group := fs.String("group", "", "status, cancel: every post of this group instead of one post")
	tn := tenantFlag(fs)
	sub := args[0]
	byGroup := (sub == "status" || sub == "cancel") && slices.ContainsFunc(args[1:], isGroupFlag)
	id, err := parseSub(fs, args[1:], sub != "schedule" && sub != "import" && sub != "export" && !byGroup, usage)
	if err != nil {
		return err
	}
	e, done, err := openCLI(stderr, false)
	if err != nil {
		return err
	}
	defer done()
	if err := e.useTenant(*tn); err != nil {
		return err
	}
	if byGroup {
		return runGroup(ctx, e, sub, *group, *asJSON, stdout)
	}
	var st jobs.PostStatus
	switch sub {
	case "import":
		return runImport(ctx, e, *file, *format, stdout, stderr)
	case "export":
		return runExport(ctx, e, jobs.ListQuery{AccountID: *account, State: jobs.State(*state)}, *from, *to, stdout)
	case "schedule":
		var p jobs.Post
		if err := readJSONArg(*file, &p); err != nil {
			return err
		}
		st, err = e.client.SchedulePost(ctx, p)
	case "status":
		st, err = e.client.PostStatus(ctx, id)
	case "cancel":
		st, err = e.client.CancelPost(ctx, id)
	case "reschedule":
		t, perr := time.Parse(time.RFC3339, *at)
		if perr != nil {
			return fmt.Errorf("--at=%q: want an RFC 3339 time with a zone, e.g. 2026-12-01T09:00:00+01:00", *at)
		}
		st, err = e.client.ReschedulePost(ctx, id, t)
	default:
		fmt.Fprintf(stderr, "herald post: unknown command %q\n%s\n", sub, usage)
		return errUsage
	}
	if err != nil {
		return err
	}
	return printStatus(stdout, *asJSON, st)
}

// accountFile is what `herald accounts connect` reads: the API's body.
type accountFile struct {
	AccountID      string    `json:"account_id"`
	Platform       string    `json:"platform"`
	PlatformUserID string    `json:"platform_user_id"`
	LoginUserID    string    `json:"login_user_id"`
	Scopes         []string  `json:"scopes"`
	AccessToken    string    `json:"access_token"`
	RefreshToken   string    `json:"refresh_token"`
	Expiry         time.Time `json:"expiry"`
}

// runAccounts: herald accounts connect|status|disconnect|erase|reindex.
func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: herald accounts connect --file account.json | connect-url --platform P --account ID --return URL | status ID | disconnect ID | erase ID | reindex [--json] [--tenant T]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	if args[0] == "connect-url" {
		return runConnectURL(ctx, args[1:], stdout, stderr)
	}
	fs := flags("accounts "+args[0], stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	file := fs.String("file", "-", "connect: the account and its tokens as JSON, - for standard input")
	tn := tenantFlag(fs)
	sub := args[0]
	id, err := parseSub(fs, args[1:], sub != "connect" && sub != "reindex", usage)
	if err != nil {
		return err
	}
	e, done, err := openCLI(stderr, true)
	if err != nil {
		return err
	}
	defer done()
	if err := e.useTenant(*tn); err != nil {
		return err
	}
	var a accountFile
	if sub == "connect" {
		if err := readJSONArg(*file, &a); err != nil {
			return err
		}
		id = a.AccountID
	}
	var stored string
	if sub == "connect" || sub == "status" || sub == "disconnect" || sub == "erase" {
		if stored, err = e.stored(id); err != nil {
			return err
		}
	}
	switch sub {
	case "connect":
		err := e.vault.Connect(ctx, tokens.Account{ID: stored, Platform: a.Platform, PlatformUserID: a.PlatformUserID, LoginUserID: a.LoginUserID, Scopes: a.Scopes,
			Token: &oauth2.Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, TokenType: "Bearer", Expiry: a.Expiry}})
		if err != nil {
			return err
		}
	case "status":
	case "disconnect":
		if err := e.vault.Disconnect(ctx, stored); err != nil {
			return err
		}
	case "erase":
		rc, err := e.vault.Erase(ctx, stored)
		if err != nil {
			return err
		}
		rc.AccountID = id
		if *asJSON {
			return printJSON(stdout, rc)
		}
		fmt.Fprintf(stdout, "erased %s (revoked at the platform: %v); deleted %v\n", id, rc.Revoked, rc.Deleted)
		return nil
	case "reindex":
		// Once, for accounts connected before the platform-user index.
		n, err := e.vault.ReindexPlatformUsers(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdout, map[string]int{"indexed": n})
		}
		fmt.Fprintf(stdout, "indexed %d accounts by their platform user id\n", n)
		return nil
	default:
		fmt.Fprintf(stderr, "herald accounts: unknown command %q\n%s\n", sub, usage)
		return errUsage
	}
	info, err := e.vault.Info(ctx, stored)
	if err != nil {
		return err
	}
	info.ID = id
	if *asJSON {
		return printJSON(stdout, info)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "account\t%s\nplatform\t%s\nplatform user\t%s\nstatus\t%s\nscopes\t%v\nexpiry\t%s\n",
		info.ID, info.Platform, info.PlatformUserID, info.Status, info.Scopes, info.Expiry.Format(time.RFC3339))
	return tw.Flush()
}

// runEvents: herald events tail [--tenant T] [--from ID] [--count N] [--json].
func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "tail" {
		fmt.Fprintln(stderr, "usage: herald events tail [--tenant T] [--from ID|0|$] [--count N] [--json]")
		return errUsage
	}
	fs := flags("events tail", stderr)
	tn := fs.String("tenant", "default", "the tenant whose events stream to follow (HERALD_TENANTS)")
	from := fs.String("from", "$", "stream id to start after: $ for new events only, 0 for all kept")
	count := fs.Int("count", 0, "stop after this many events (0: follow until Ctrl-C)")
	asJSON := fs.Bool("json", false, "print each event as a JSON line")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	e, done, err := openCLI(stderr, false)
	if err != nil {
		return err
	}
	defer done()
	stream, err := tenantStream(e.cfg, *tn)
	if err != nil {
		return err
	}
	noteEmptyStream(ctx, e.rdb, stream, stderr)
	last := *from
	if last == "$" {
		// Resolve "$" once, so events appended between reads are not lost.
		var err error
		if last, err = lastEventID(ctx, e.rdb, stream); err != nil {
			return err
		}
	}
	seen := 0
	for *count == 0 || seen < *count {
		res, err := e.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{stream, last}, Block: time.Second, Count: 100}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, m := range res[0].Messages {
			last = m.ID
			ev, err := events.Parse(m)
			if err != nil {
				fmt.Fprintf(stderr, "skipping %v\n", err)
				continue
			}
			if *asJSON {
				line, _ := json.Marshal(ev)
				fmt.Fprintln(stdout, string(line))
			} else {
				subject := ev.PostID
				if subject == "" {
					subject = ev.AccountID
				}
				fmt.Fprintf(stdout, "%s  %-24s %-24s %-10s %s\n", ev.At.Format(time.RFC3339Nano), ev.Type, subject, ev.Platform, describe(ev))
			}
			if seen++; *count > 0 && seen >= *count {
				return nil
			}
		}
	}
	return nil
}
