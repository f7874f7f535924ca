package main

import (
	"context"
	"fmt"
	"io"

	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
)

// runSandbox serves the sandbox platform on its own, for docker-compose and
// for workers started by hand against it.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sb, err := sandboxserver.NewAt(*addr)
	if err != nil {
		return err
	}
	defer sb.Close()
	fmt.Fprintf(stdout, "sandbox platform at %s (Ctrl-C to stop)\n", sb.URL())
	<-ctx.Done()
	return nil
}
