package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// vaultEnv is env with the real Vault as the token source, wired to jobs
// as cmd/herald wires it.
type vaultEnv struct {
	*env
	vault *tokens.Vault
	keys  *tokens.Keyring
	oauth *tokenstest.Server
}

func newVaultEnv(t *testing.T) *vaultEnv {
	e := newEnv(t)
	o := tokenstest.New()
	t.Cleanup(o.Close)
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	v := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {
			OAuth:  &oauth2.Config{ClientID: "c", ClientSecret: "s", Endpoint: o.Endpoint()},
			Revoke: youtube.Revoke(o.RevokeURL()),
		}},
	}))
	return &vaultEnv{env: e, vault: v, keys: keys, oauth: o}
}

func (e *vaultEnv) connect(account string, expiry time.Time) *oauth2.Token {
	e.t.Helper()
	tok := e.oauth.Issue(expiry)
	if err := e.vault.Connect(context.Background(), tokens.Account{ID: account, Platform: "sandbox", PlatformUserID: "sb-" + account, Token: tok}); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *vaultEnv) startWorker() {
	e.env.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Tokens = e.vault
		c.Sealer = e.keys
	})
}

func TestPublishThroughTheVaultSealsCheckpoints(t *testing.T) {
	e := newVaultEnv(t)
	e.connect("acct-1", time.Now().Add(-time.Minute)) // expired: the worker refreshes it
	e.startWorker()
	e.schedule(e.post("v1", time.Now()))
	e.waitState("v1", jobs.StatePublished, 20*time.Second)
	if e.oauth.Refreshes() != 1 {
		t.Errorf("%d refreshes, want 1", e.oauth.Refreshes())
	}
	draft := e.rdb.HGet(context.Background(), "herald:{post:v1}", "cp:draft").Val()
	if draft == "" || strings.Contains(draft, "d_") {
		t.Errorf("checkpoint stored as %q, want it sealed", draft)
	}
}

func TestRevokedGrantFailsThePostAsReauth(t *testing.T) {
	e := newVaultEnv(t)
	tok := e.connect("acct-1", time.Now().Add(-time.Minute))
	e.oauth.RevokeRefreshToken(tok.RefreshToken)
	e.startWorker()
	e.schedule(e.post("r1", time.Now()))
	st := e.waitState("r1", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != "reauth" || st.Attempts != 1 {
		t.Errorf("failure %q after %d attempts, want reauth after 1", st.FailureClass, st.Attempts)
	}
	if n := len(e.sandbox.Calls()); n != 0 {
		t.Errorf("platform called %d times without a token", n)
	}
}

func TestDisconnectCancelsPendingPostsAndRevokes(t *testing.T) {
	e := newVaultEnv(t)
	tok := e.connect("acct-1", time.Now().Add(time.Hour))
	e.startWorker()
	e.schedule(e.post("later-1", time.Now().Add(time.Hour)))
	e.schedule(e.post("later-2", time.Now().Add(2*time.Hour)))
	if err := e.vault.Disconnect(context.Background(), "acct-1"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"later-1", "later-2"} {
		if st := e.status(id); st.State != jobs.StateCanceled {
			t.Errorf("%s is %s after disconnect", id, st.State)
		}
		if info := e.taskInfo(id); info != nil {
			t.Errorf("%s still has a task (%s)", id, info.State)
		}
	}
	eventually.True(t, 20*time.Second, func() bool { return e.oauth.Revoked(tok.RefreshToken) }, "token revoked at the platform")
	eventually.True(t, 10*time.Second, func() bool {
		info, err := e.vault.Info(context.Background(), "acct-1")
		return err == nil && info.Status == tokens.StatusDisconnected
	}, "account disconnected")
}

func TestEraseLeavesNothingNamingTheAccount(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	e.connect("acct-1", time.Now().Add(time.Hour))
	e.connect("bystander", time.Now().Add(time.Hour))
	e.startWorker()
	e.schedule(e.post("done", time.Now()))
	e.schedule(e.post("pending", time.Now().Add(time.Hour)))
	other := e.post("theirs", time.Now().Add(time.Hour))
	other.AccountID = "bystander"
	e.schedule(other)
	e.sandbox.FailRef("broken", -1, sandboxtest.Fault{Status: 422})
	e.schedule(e.post("broken", time.Now()))
	e.waitState("done", jobs.StatePublished, 20*time.Second)
	e.waitState("broken", jobs.StateFailed, 20*time.Second)
	if err := e.client.RefreshAnalytics(ctx, "acct-1", "sandbox"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 20*time.Second, func() bool {
		_, err := e.client.LatestAnalytics(ctx, "acct-1")
		return err == nil
	}, "analytics stored")

	rc, err := e.vault.Erase(ctx, "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Revoked || rc.Deleted["posts"] != 3 {
		t.Errorf("receipt %+v", rc)
	}
	for k, v := range e.db.Dump(t) {
		if strings.Contains(k, "acct-1") || strings.Contains(v, "acct-1") {
			t.Errorf("after Erase %s still names the account: %.300s", k, v)
		}
	}
	if st := e.status("theirs"); st.State != jobs.StateScheduled {
		t.Errorf("bystander's post is %s", st.State)
	}
	if info := e.taskInfo("theirs"); info == nil || info.State != asynq.TaskStateScheduled {
		t.Error("bystander's task is gone")
	}
}

// A reconnect that replaces a token to revoke enqueues the revocation,
// as a disconnect does, and cancels nothing: the account's posts stay,
// and the new token publishes them.
func TestReconnectRevokesTheReplacedTokenAndKeepsThePosts(t *testing.T) {
	e := newVaultEnv(t)
	old := e.connect("acct-1", time.Now().Add(time.Hour))
	e.schedule(e.post("after-reconnect", time.Now().Add(2*time.Second)))
	next := e.connect("acct-1", time.Now().Add(time.Hour))
	e.startWorker()
	eventually.True(t, 20*time.Second, func() bool { return e.oauth.Revoked(old.RefreshToken) }, "the replaced token revoked at the platform")
	if e.oauth.Revoked(next.RefreshToken) {
		t.Error("the new token was revoked")
	}
	e.waitState("after-reconnect", jobs.StatePublished, 20*time.Second)
	if info, err := e.vault.Info(context.Background(), "acct-1"); err != nil || info.Status != tokens.StatusActive {
		t.Errorf("account %+v %v", info, err)
	}
}

// The scope check guards a post's first call only: a post an earlier
// attempt may have created (it saved a checkpoint) is resumed after the
// account was reconnected with a smaller grant, never failed as reauth
// while the platform may show it.
func TestScopeCheckSparesAPostAlreadyUnderWay(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	granted := func(scopes ...string) tokens.Account {
		return tokens.Account{ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-acct-1", Scopes: scopes, ScopesGranted: true,
			Token: e.oauth.Issue(time.Now().Add(time.Hour))}
	}
	if err := e.vault.Connect(ctx, granted("publish")); err != nil {
		t.Fatal(err)
	}
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepPublish && req.Attempt == 1 {
			// The user reconnects granting less while the draft waits.
			if err := e.vault.Connect(ctx, granted("analytics")); err != nil {
				t.Error(err)
			}
			return publishers.Transient(errors.New("publish timed out"))
		}
		return nil
	}}
	reg := publishers.RegistryOf([]publishers.Platform{{Name: "sandbox", Publisher: platform,
		Needs: func(string, publishers.Content) []publishers.ScopeNeed { return []publishers.ScopeNeed{{"publish"}} }}})
	e.env.startWorker(reg, func(c *jobs.WorkerConfig) { c.Tokens, c.Sealer = e.vault, e.keys })
	e.schedule(e.post("under-way", time.Now()))
	st := e.waitState("under-way", jobs.StatePublished, 20*time.Second)
	if st.Attempts != 2 || len(platform.Posts("under-way")) != 1 {
		t.Errorf("attempts %d, posts %v", st.Attempts, platform.Posts("under-way"))
	}
	// A new post of the account is refused at once.
	e.schedule(e.post("new", time.Now()))
	if st := e.waitState("new", jobs.StateFailed, 20*time.Second); st.FailureClass != "reauth" || !strings.Contains(st.Reason, "publish") {
		t.Errorf("new post: %s: %s", st.FailureClass, st.Reason)
	}
}
