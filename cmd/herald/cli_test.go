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

func TestCLIPostsAccountsAndEvents(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	acct := write("a.json", `{"account_id":"cli-acct","platform":"sandbox","platform_user_id":"sb-cli","access_token":"cli-secret-token-123"}`)
	out, _, err := herald(t, ctx, "accounts", "connect", "--file", acct)
	if err != nil || !strings.Contains(out, "active") {
		t.Fatalf("accounts connect: %q %v", out, err)
	}
	if strings.Contains(out, "cli-secret-token-123") {
		t.Error("accounts connect printed the token")
	}

	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	post := write("p.json", `{"post_id":"cli-1","account_id":"cli-acct","platform":"sandbox","publish_at":"`+at+`","content":{"text":"hi"}}`)
	if out, _, err = herald(t, ctx, "post", "schedule", "--file", post); err != nil || !strings.Contains(out, "scheduled") {
		t.Fatalf("post schedule: %q %v", out, err)
	}
	out, _, err = herald(t, ctx, "post", "status", "cli-1", "--json")
	var st struct{ State string }
	if err != nil || json.Unmarshal([]byte(out), &st) != nil || st.State != "scheduled" {
		t.Fatalf("post status --json: %q %v", out, err)
	}
	if out, _, err = herald(t, ctx, "post", "cancel", "cli-1"); err != nil || !strings.Contains(out, "canceled") {
		t.Fatalf("post cancel: %q %v", out, err)
	}
	for _, id := range []string{"cli-g1", "cli-g2"} {
		gp := write(id+".json", `{"post_id":"`+id+`","group_id":"cli-camp","account_id":"cli-acct","platform":"sandbox","publish_at":"`+at+`","content":{"text":"hi"}}`)
		if out, _, err = herald(t, ctx, "post", "schedule", "--file", gp); err != nil {
			t.Fatalf("post schedule %s: %q %v", id, out, err)
		}
	}
	if out, _, err = herald(t, ctx, "post", "status", "--group", "cli-camp"); err != nil || !strings.Contains(out, "cli-g1") || !strings.Contains(out, "cli-g2") || strings.Contains(out, "cli-1 ") {
		t.Fatalf("post status --group: %q %v", out, err)
	}
	if out, _, err = herald(t, ctx, "post", "cancel", "--group=cli-camp", "--json"); err != nil || strings.Count(out, `"result": "canceled"`) != 2 {
		t.Fatalf("post cancel --group: %q %v", out, err)
	}
	if _, _, err = herald(t, ctx, "post", "status", "--group", "nothing-here"); err == nil {
		t.Error("status of an unknown group succeeded")
	}
	if _, _, err = herald(t, ctx, "post", "reschedule", "cli-1", "--at", "tomorrow"); err == nil || !strings.Contains(err.Error(), "--at") {
		t.Errorf("reschedule with a bad time: %v", err)
	}

	if out, _, err = herald(t, ctx, "accounts", "reindex"); err != nil || !strings.Contains(out, "indexed 1 accounts") {
		t.Errorf("accounts reindex: %q %v", out, err)
	}

	out, _, err = herald(t, ctx, "events", "tail", "--from", "0", "--count", "3")
	if err != nil || !strings.Contains(out, "account.connected") || !strings.Contains(out, "post.scheduled") || !strings.Contains(out, "post.canceled") {
		t.Errorf("events tail: %q %v", out, err)
	}

	if out, _, err = herald(t, ctx, "accounts", "erase", "cli-acct", "--json"); err != nil || !strings.Contains(out, `"deleted"`) {
		t.Fatalf("accounts erase: %q %v", out, err)
	}
	if _, _, err = herald(t, ctx, "accounts", "status", "cli-acct"); err == nil {
		t.Error("status of an erased account succeeded")
	}
	if _, _, err = herald(t, ctx, "post", "frobnicate"); err == nil {
		t.Error("unknown post command accepted")
	}
}

func TestCLIWebhooks(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_WEBHOOKS", "app=https://app.example/hooks")
	t.Setenv("HERALD_WEBHOOK_SECRETS", "app=0123456789abcdef0123456789")
	ctx := context.Background()
	out, _, err := herald(t, ctx, "webhooks", "status")
	if err != nil || !strings.Contains(out, "app") || !strings.Contains(out, "default") || !strings.Contains(out, "delivering") {
		t.Errorf("webhooks status: %q %v", out, err)
	}
	if strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "app.example") {
		t.Errorf("status shows the URL or secret: %q", out)
	}
	if out, _, err = herald(t, ctx, "webhooks", "enable", "app"); err != nil || !strings.Contains(out, "enabled") {
		t.Errorf("webhooks enable: %q %v", out, err)
	}
	if _, _, err = herald(t, ctx, "webhooks", "enable", "other"); err == nil || !strings.Contains(err.Error(), "HERALD_WEBHOOKS") {
		t.Errorf("enable of an unknown endpoint: %v", err)
	}
}
