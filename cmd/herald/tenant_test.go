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

// TestCLITenants: --tenant keeps the operator's commands inside one
// tenant. Shop and blog use the same account and post ids; each command
// reaches its own tenant's only, the other's is not found, and erasing
// shop's account leaves blog's whole.
func TestCLITenants(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	t.Setenv("HERALD_TENANTS", "shop:shop-api;blog:blog-api")
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cli := func(args ...string) (string, error) {
		t.Helper()
		out, _, err := herald(t, ctx, args...)
		return out, err
	}
	acct := write("a.json", `{"account_id":"acct-1","platform":"sandbox","platform_user_id":"sb-1","access_token":"cli-secret-token-123"}`)
	at := map[string]time.Time{"shop": time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	at["blog"] = at["shop"].Add(time.Minute)
	for _, tn := range []string{"shop", "blog"} {
		out, err := cli("accounts", "connect", "--file", acct, "--tenant", tn)
		if err != nil || !strings.Contains(out, "account        acct-1\n") {
			t.Fatalf("%s: accounts connect: %q %v", tn, out, err)
		}
		post := write(tn+".json", `{"post_id":"p1","account_id":"acct-1","platform":"sandbox","publish_at":"`+at[tn].Format(time.RFC3339)+`","content":{"text":"hi"}}`)
		// The same id in both tenants: two posts, no conflict.
		if out, err = cli("post", "schedule", "--file", post, "--tenant", tn); err != nil || !strings.Contains(out, "scheduled") {
			t.Fatalf("%s: post schedule: %q %v", tn, out, err)
		}
	}
	imp := write("blog.jsonl", `{"post_id":"p2","account_id":"acct-1","platform":"sandbox","publish_at":"`+at["blog"].Format(time.RFC3339)+`","content":{"text":"blog's"}}`+"\n")
	if out, err := cli("post", "import", "--file", imp, "--tenant", "blog"); err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("post import: %q %v", out, err)
	}

	status := func(tn, id string) (st struct {
		PostID, AccountID, State string
		PublishAt                time.Time `json:"publish_at"`
	}, err error) {
		t.Helper()
		out, err := cli("post", "status", id, "--json", "--tenant", tn)
		if err == nil {
			err = json.Unmarshal([]byte(out), &st)
		}
		return st, err
	}
	for _, tn := range []string{"shop", "blog"} {
		st, err := status(tn, "p1")
		if err != nil || st.State != "scheduled" || !st.PublishAt.Equal(at[tn]) {
			t.Errorf("%s: status p1 = %+v %v", tn, st, err)
		}
	}
	if _, err := status("shop", "p2"); err == nil || !strings.Contains(err.Error(), "post not found") {
		t.Errorf("shop reads blog's p2: %v", err)
	}
	out, err := cli("post", "export", "--account", "acct-1", "--tenant", "blog")
	if err != nil || strings.Count(out, "\n") != 2 || strings.Contains(out, "~") || !strings.Contains(out, `"post_id":"p2"`) {
		t.Errorf("blog's export: %q %v", out, err)
	}
	out, err = cli("post", "export", "--account", "acct-1", "--tenant", "shop")
	if err != nil || strings.Count(out, "\n") != 1 || strings.Contains(out, "p2") {
		t.Errorf("shop's export: %q %v", out, err)
	}

	// Cancel and reschedule touch their own tenant's p1 only.
	if out, err = cli("post", "cancel", "p1", "--tenant", "shop"); err != nil || !strings.Contains(out, "canceled") {
		t.Fatalf("post cancel: %q %v", out, err)
	}
	later := at["blog"].Add(time.Hour)
	if _, err = cli("post", "reschedule", "p1", "--at", later.Format(time.RFC3339), "--tenant", "blog"); err != nil {
		t.Fatal(err)
	}
	if st, _ := status("blog", "p1"); st.State != "scheduled" || !st.PublishAt.Equal(later) {
		t.Errorf("blog's p1 after shop's cancel and its reschedule: %+v", st)
	}
	if st, _ := status("shop", "p1"); st.State != "canceled" || !st.PublishAt.Equal(at["shop"]) {
		t.Errorf("shop's p1 after blog's reschedule: %+v", st)
	}

	// A tenant's account is another's missing one; a stored id is no id.
	if _, err = cli("accounts", "status", "acct-1"); err == nil {
		t.Error("the default tenant reads an acct-1 it never connected")
	}
	if _, err = cli("accounts", "status", "shop~acct-1"); err == nil || !strings.Contains(err.Error(), "account_id") {
		t.Errorf("status of a stored id: %v", err)
	}
	if _, err = cli("post", "status", "shop~p1"); err == nil || !strings.Contains(err.Error(), "post_id") {
		t.Errorf("status of a stored post id: %v", err)
	}
	for _, bad := range []string{"nope", "Shop"} {
		if _, err = cli("post", "status", "p1", "--tenant", bad); err == nil || !strings.Contains(err.Error(), "--tenant") {
			t.Errorf("--tenant %s: %v", bad, err)
		}
	}

	// Disconnect blog's, erase shop's: each its own.
	if out, err = cli("accounts", "disconnect", "acct-1", "--tenant", "blog"); err != nil || strings.Contains(out, "active") {
		t.Fatalf("disconnect: %q %v", out, err)
	}
	if out, err = cli("accounts", "status", "acct-1", "--tenant", "shop"); err != nil || !strings.Contains(out, "active") {
		t.Errorf("shop's acct-1 after blog's disconnect: %q %v", out, err)
	}
	if st, _ := status("blog", "p2"); st.State != "canceled" {
		t.Errorf("blog's p2 after blog's disconnect: %+v", st)
	}
	// blog connects again; then shop's erase leaves it whole.
	if _, err = cli("accounts", "connect", "--file", acct, "--tenant", "blog"); err != nil {
		t.Fatal(err)
	}
	if out, err = cli("accounts", "erase", "acct-1", "--tenant", "shop", "--json"); err != nil || !strings.Contains(out, `"account_id": "acct-1"`) {
		t.Fatalf("erase: %q %v", out, err)
	}
	d := db.Dump(t)
	for k, v := range d {
		if strings.Contains(k, "shop~") || strings.Contains(v, "shop~") {
			t.Errorf("after the erase of shop's acct-1, %s holds it: %.300s", k, v)
		}
	}
	for _, k := range []string{"herald:{acct:blog~acct-1}:token", "herald:{acct:blog~acct-1}:posts", "herald:{post:blog~p1}", "herald:{post:blog~p2}"} {
		if d[k] == "" {
			t.Errorf("after the erase of shop's acct-1, %s is gone", k)
		}
	}
	if out, err = cli("accounts", "status", "acct-1", "--tenant", "blog"); err != nil || !strings.Contains(out, "active") {
		t.Errorf("blog's acct-1 after shop's erase: %q %v", out, err)
	}
}

// Doctor shows each tenant with its keys' and endpoints' names, never a
// token or secret.
func TestDoctorShowsTenants(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_API_TOKENS", "shop-api:shop-token-0123456789abcdefghij,ops:ops-token-0123456789abcdefghijkl")
	t.Setenv("HERALD_TENANTS", "shop:shop-api,shop-hooks")
	out, _, err := herald(t, context.Background(), "doctor")
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{"tenants: 2", "default  keys: ops", "shop     keys: shop-api", "not configured in this process: shop-hooks"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "token-0123") {
		t.Errorf("doctor shows a token:\n%s", out)
	}
}
