package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
)

func TestCLIImportIsResumableAndNamesBadLines(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	line := func(id string, d time.Duration) string {
		return `{"post_id":"` + id + `","account_id":"imp","platform":"sandbox","publish_at":"` + at.Add(d).Format(time.RFC3339) + `","content":{"text":"post ` + id + `"}}`
	}
	lines := []string{
		line("j1", 0),
		`{"post_id":"j2",`, // line 2: not JSON
		"",
		strings.Replace(line("j4", 0), `"platform":"sandbox"`, `"platform":"Nope!"`, 1), // line 4
		line("j5", time.Minute),
		line("j6", 2*time.Minute),
	}
	file := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := herald(t, ctx, "post", "import", "--file", file)
	if err == nil || !strings.Contains(err.Error(), "2 of 5 lines refused") {
		t.Errorf("import with two bad lines: %v", err)
	}
	if !strings.Contains(out, "3 created, 0 unchanged") {
		t.Errorf("summary %q", out)
	}
	if !strings.Contains(stderr, "posts.jsonl:2: not a post as JSON") || !strings.Contains(stderr, "posts.jsonl:4: ") || !strings.Contains(stderr, "platform") {
		t.Errorf("stderr does not name the bad lines: %q", stderr)
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("a progress line went to a file that is not a terminal: %q", stderr)
	}
	// Fixed and run again: what was stored is skipped.
	lines[1], lines[3] = line("j2", 0), line("j4", 0)
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err = herald(t, ctx, "post", "import", "--file", file)
	if err != nil || !strings.Contains(out, "5 lines: 2 created, 3 unchanged") {
		t.Errorf("second import: %q %q %v", out, stderr, err)
	}

	// CSV, with the documented columns in any order.
	csvFile := filepath.Join(dir, "posts.csv")
	csvBody := "publish_at,post_id,account_id,platform,title,text,media,not_after\n" +
		at.Format(time.RFC3339) + ",c1,imp,sandbox,Hello,\"a text, with a comma\",image:https://cdn.example.com/a.jpg video:https://cdn.example.com/b.mp4,\n" +
		"tomorrow,c2,imp,sandbox,,text,,\n" +
		at.Format(time.RFC3339) + ",c3,imp,sandbox,,text,gif:https://x.example/a.gif,\n"
	if err := os.WriteFile(csvFile, []byte(csvBody), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err = herald(t, ctx, "post", "import", "--file", csvFile)
	if err == nil || !strings.Contains(out, "1 created") || !strings.Contains(stderr, "posts.csv:3: publish_at") || !strings.Contains(stderr, "posts.csv:4: media[0]") {
		t.Errorf("csv import: %q %q %v", out, stderr, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("post_id,colour\n"), 0o600)
	if _, _, err = herald(t, ctx, "post", "import", "--file", bad); err == nil || !strings.Contains(err.Error(), `unknown column "colour"`) {
		t.Errorf("unknown column: %v", err)
	}

	// Export writes JSON Lines that import takes back unchanged.
	out, _, err = herald(t, ctx, "post", "export", "--account", "imp", "--to", at.Add(90*time.Second).Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var p struct {
			PostID  string `json:"post_id"`
			Content struct{ Text string }
			Status  struct{ State string }
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Status.State != "scheduled" || p.Content.Text == "" {
			t.Errorf("export line %q: %v", l, err)
		}
		ids = append(ids, p.PostID)
	}
	if got := strings.Join(ids, " "); got != "c1 j1 j2 j4 j5" {
		t.Errorf("exported %s, want c1 j1 j2 j4 j5", got)
	}
	exported := filepath.Join(dir, "export.jsonl")
	_ = os.WriteFile(exported, []byte(out), 0o600)
	if out, _, err = herald(t, ctx, "post", "import", "--file", exported); err != nil || !strings.Contains(out, "0 created, 5 unchanged") {
		t.Errorf("importing the export: %q %v", out, err)
	}
	if _, _, err = herald(t, ctx, "post", "export", "--account", "imp", "--state", "lost"); err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("export --state lost: %v", err)
	}
}
