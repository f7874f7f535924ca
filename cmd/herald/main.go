// Command herald runs Herald's processes. See `herald help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"worker", "run a worker: publish posts as they fall due", runWorker},
		{"scheduler", "enqueue periodic work: the analytics sweep of every account", runScheduler},
		{"api", "serve the HTTP API (/v1) for product apps, /healthz, /readyz and /metrics", runAPI},
		{"monitor", "serve asynqmon (/monitoring), /metrics and /healthz", runMonitor},
		{"demo", "run everything locally against the sandbox platform and watch posts publish", runDemo},
		{"sandbox", "serve the sandbox platform, a local fake social network", runSandbox},
		{"post", "schedule a post, or show, cancel or reschedule one", runPost},
		{"accounts", "connect an account, or show, disconnect or erase one", runAccounts},
		{"events", "follow the events stream (events tail)", runEvents},
		{"webhooks", "show whether each webhook endpoint is delivering, or enable one a 410 disabled", runWebhooks},
		{"compose-env", "write a .env with fresh secrets for docker compose (never overwrites one)", runComposeEnv},
		{"keys", "generate a token key, or re-seal every token with the first key (rotate)", runKeys},
		{"doctor", "check Redis and the configuration, and say what is wrong", runDoctor},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks an error the user caused by calling herald wrongly; it
// exits with status 2.
var errUsage = errors.New("usage")

// errHelp ends a subcommand asked for its help (-h): the flags' usage is
// printed and nothing runs; herald exits with status 0.
var errHelp = errors.New("help")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "herald:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "herald: unknown command %q\n\n", args[0])
	usage(stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Herald publishes scheduled social posts, durably and exactly once.")
	fmt.Fprintln(w, "\nUsage: herald <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from HERALD_* environment variables: see README.md.")
}

// flags returns a FlagSet for a subcommand that reports errors as errUsage.
func flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}
