// Package metricstest checks what a Herald process exposes at /metrics
// with promtool, the linter of the Prometheus project.
package metricstest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// Promtool returns promtool's path, or skips t with how to install it.
func Promtool(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian: apt-get install prometheus; make test installs it): skipping `promtool check metrics`")
	}
	return path
}

// Scrape GETs url and returns the body; a status other than 200 fails t.
func Scrape(t testing.TB, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// CheckMetrics runs `promtool check metrics` on exposition and fails t on
// every problem it reports, except those about metrics whose name starts
// with one of the exempt prefixes (names Herald cannot change: asynq's
// queue gauges are called *_total, and asynqmon's charts query them by
// those names).
func CheckMetrics(t testing.TB, promtool, exposition string, exempt ...string) {
	t.Helper()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("promtool check metrics: %v", err)
	}
	var problems []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" || exempted(line, exempt) {
			continue
		}
		problems = append(problems, line)
	}
	if len(problems) > 0 || len(out) == 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, strings.Join(problems, "\n"))
	}
}

func exempted(line string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
