package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/tokens"
)

func TestConnectReadDisconnectErase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	r := f.do("POST", "/v1/accounts", connectBody("acct-1", "youtube"))
	expect(t, r, http.StatusCreated)
	if r.header.Get("Location") != "/v1/accounts/acct-1" {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	var info tokens.Info
	r.json(t, &info)
	if info.ID != "acct-1" || info.Platform != "youtube" || info.Status != tokens.StatusActive ||
		info.PlatformUserID != "UC-acct-1" || !slices.Equal(info.Scopes, []string{"youtube.upload"}) || info.Expiry.IsZero() {
		t.Errorf("connect answered %+v", info)
	}
	tok, err := f.vault.Token(ctx, "acct-1", "youtube")
	if err != nil || tok.AccessToken != accessTok || tok.RefreshToken != refreshT {
		t.Fatalf("Vault.Token after connect: %v", err)
	}

	// Connecting again replaces the tokens.
	expect(t, f.do("POST", "/v1/accounts", connectBody("acct-1", "youtube")), http.StatusOK)

	r = f.do("GET", "/v1/accounts/acct-1", "")
	expect(t, r, http.StatusOK)
	var got map[string]any
	r.json(t, &got)
	for k := range got {
		if !slices.Contains([]string{"account_id", "platform", "platform_user_id", "status", "scopes", "expiry", "updated_at"}, k) {
			t.Errorf("GET account answers field %q", k)
		}
	}

	r = f.do("POST", "/v1/accounts/acct-1/disconnect", "")
	expect(t, r, http.StatusOK)
	r.json(t, &info)
	if info.Status != tokens.StatusRevoking && info.Status != tokens.StatusDisconnected {
		t.Errorf("after disconnect: status %s", info.Status)
	}
	if _, err := f.vault.Token(ctx, "acct-1", "youtube"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("Vault.Token after disconnect: %v, want ErrNotConnected", err)
	}
	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)

	r = f.do("DELETE", "/v1/accounts/acct-1", "")
	expect(t, r, http.StatusOK)
	var rc tokens.Receipt
	r.json(t, &rc)
	if rc.AccountID != "acct-1" || rc.Deleted["token_keys"] == 0 || rc.At.IsZero() {
		t.Errorf("receipt %+v", rc)
	}
	expect(t, f.do("GET", "/v1/accounts/acct-1", ""), http.StatusNotFound)
	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusNotFound)
	d := f.dump()
	delete(d, "asynq:queues") // asynq's list of queue names
	if len(d) != 0 {
		t.Errorf("after erase, Redis still holds %v", d)
	}
	// Erasing again is harmless.
	expect(t, f.do("DELETE", "/v1/accounts/acct-1", ""), http.StatusOK)
}

func TestDisconnectCancelsTheAccountsPosts(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	expect(t, f.do("POST", "/v1/posts", postBody("p1", "acct-1", "youtube", time.Now().Add(time.Hour))), http.StatusCreated)
	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)
	var st struct{ State string }
	f.do("GET", "/v1/posts/p1", "").json(t, &st)
	if st.State != "canceled" {
		t.Errorf("post of a disconnected account: %s", st.State)
	}
	// Scheduling a new post for it is refused; repeating the old one
	// answers its status.
	r := f.do("POST", "/v1/posts", postBody("p2", "acct-1", "youtube", time.Now().Add(time.Hour)))
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "account_id" {
		t.Errorf("post for a disconnected account: %s", r.body)
	}
}

func TestAccountPostsListingPages(t *testing.T) {
	f := newFixture(t)
	r := f.do("GET", "/v1/accounts/acct-1/posts?limit=0", "")
	expect(t, r, http.StatusBadRequest)
	r = f.do("GET", "/v1/accounts/acct-1/posts", "")
	expect(t, r, 200)
	if !strings.Contains(string(r.body), `"posts":[`) {
		t.Errorf("listing: %s", r.body)
	}
}
