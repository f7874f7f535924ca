package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// isGroupFlag says whether a command-line argument is --group, in any
// of the forms package flag takes.
func isGroupFlag(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	return strings.HasPrefix(arg, "-") && (name == "group" || strings.HasPrefix(name, "group="))
}

// runGroup is `herald post status --group ID` and `herald post cancel
// --group ID`: every post of the group, or what canceling each did.
func runGroup(ctx context.Context, e *cliEnv, sub, group string, asJSON bool, w io.Writer) error {
	if sub == "status" {
		g, err := e.client.GroupStatus(ctx, group)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(w, g)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "POST\tPLATFORM\tSTATE\tPUBLISH AT\tURL")
		for _, p := range g.Posts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.PostID, p.Platform, p.State, p.PublishAt.Format(time.RFC3339), p.URL)
		}
		return tw.Flush()
	}
	res, err := e.client.CancelGroup(ctx, group)
	if err != nil {
		return err
	}
	if asJSON {
		type line struct {
			PostID string          `json:"post_id"`
			Result string          `json:"result"`
			Status jobs.PostStatus `json:"status"`
			Error  string          `json:"error,omitempty"`
		}
		out := make([]line, len(res))
		for i, r := range res {
			out[i] = line{PostID: r.PostID, Result: r.Result, Status: r.Status}
			if r.Err != nil {
				out[i].Error = r.Err.Error()
			}
		}
		return printJSON(w, map[string]any{"group_id": group, "results": out})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POST\tRESULT\tSTATE\tWHY")
	for _, r := range res {
		why := ""
		if r.Err != nil {
			why = r.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.PostID, r.Result, r.Status.State, why)
	}
	return tw.Flush()
}
