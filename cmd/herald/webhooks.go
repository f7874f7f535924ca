package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/heraldhq/herald/webhook"
)

// runWebhooks: herald webhooks status [--json] | enable NAME.
func runWebhooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: herald webhooks status [--json] | enable NAME"
	if len(args) == 0 || (args[0] != "status" && args[0] != "enable") {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	fs := flags("webhooks "+args[0], stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	sub := args[0]
	name, err := parseSub(fs, args[1:], sub == "enable", usage)
	if err != nil {
		return err
	}
	e, done, err := openCLI(stderr, false)
	if err != nil {
		return err
	}
	defer done()
	eps := webhookEndpoints(e.cfg)
	if sub == "enable" {
		if !slices.ContainsFunc(eps, func(ep webhook.Endpoint) bool { return ep.Name == name }) {
			return fmt.Errorf("webhook %q is not in HERALD_WEBHOOKS", name)
		}
		if err := webhook.Enable(ctx, e.rdb, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "webhook %s enabled\n", name)
		return nil
	}
	states, err := webhook.States(ctx, e.rdb, eps)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, states)
	}
	if len(states) == 0 {
		fmt.Fprintln(stdout, "no webhooks configured (HERALD_WEBHOOKS)")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\ttenant\tstate")
	for _, s := range states {
		state := "delivering"
		if s.Disabled {
			state = "disabled (answered 410 Gone; herald webhooks enable " + s.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Tenant, state)
	}
	return tw.Flush()
}
