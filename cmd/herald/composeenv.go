package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/heraldhq/herald/tokens"
)

// composeEnvServices is what runCompose prints after writing the .env:
// where each service of docker-compose.yml listens on the host and how to
// get in. The ports are docker-compose.yml's; a test checks they agree.
var composeEnvServices = []struct{ service, addr, login string }{
	{"api", "http://127.0.0.1:8081", "Authorization: Bearer <the token after \"app:\" in HERALD_API_TOKENS>"},
	{"monitor", "http://127.0.0.1:8080/monitoring/", "user ops, password HERALD_MONITOR_PASSWORD"},
	{"sandbox", "http://127.0.0.1:8090", "no login (the local fake platform)"},
	{"prometheus", "http://127.0.0.1:9090", "no login"},
}

// runComposeEnv writes the .env that docker compose reads next to
// docker-compose.yml, with the secrets the stack cannot start without,
// each freshly generated. It never overwrites a file: a new
// HERALD_TOKEN_KEYS would leave every stored token unreadable.
func runComposeEnv(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("compose-env", stderr)
	out := fs.String("out", ".env", "file to write (refused if it exists)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	text, err := composeEnv(time.Now())
	if err != nil {
		return err
	}
	if err := writeNew(*out, text); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (HERALD_TOKEN_KEYS, HERALD_API_TOKENS, HERALD_MONITOR_PASSWORD); keep it private.\n", *out)
	fmt.Fprintln(stdout, "Next: docker compose up --build, then:")
	for _, s := range composeEnvServices {
		fmt.Fprintf(stdout, "  %-10s %-36s %s\n", s.service, s.addr, s.login)
	}
	return nil
}

// composeEnv returns the .env text: a token key, an API key named app and
// a monitor password, with a comment on each saying what it is for.
func composeEnv(now time.Time) (string, error) {
	key, err := tokens.GenerateKey(now.UTC().Format("20060102"))
	if err != nil {
		return "", err
	}
	apiKey, err := randomHex(32)
	if err != nil {
		return "", err
	}
	password, err := randomHex(16)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by `herald compose-env` at %s: the secrets docker-compose.yml needs.\n", now.UTC().Format(time.RFC3339))
	b.WriteString("# Keep it private. Do not regenerate it once tokens are stored: the key opens them\n# (README, Tokens and privacy, says how to rotate).\n\n")
	b.WriteString("# Encrypts stored tokens (herald keys generate makes more).\n")
	b.WriteString("HERALD_TOKEN_KEYS=" + key + "\n\n")
	b.WriteString("# API key of your app, as name:token; send the token as Authorization: Bearer <token>.\n")
	b.WriteString("HERALD_API_TOKENS=app:" + apiKey + "\n\n")
	b.WriteString("# Login of the monitor (asynqmon) at http://127.0.0.1:8080/monitoring/: user ops.\n")
	b.WriteString("HERALD_MONITOR_PASSWORD=" + password + "\n")
	return b.String(), nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeNew creates path with text, readable by its owner only, and fails
// if path exists.
func writeNew(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists and is left as it is (its HERALD_TOKEN_KEYS may open stored tokens); remove it first to make new secrets", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
