package jobs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// TestVaultHooksRunTheAppsHooksFirst: hooks the app set in tokens.Options
// still run, before jobs'; when the app's OnDisconnect fails, jobs' does
// not run (the posts stay scheduled and the Vault reports the failure),
// and OnErase's counts add up.
func TestVaultHooksRunTheAppsHooksFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var heard []string
	fail := true
	keys, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	v := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}},
		OnConnect: func(_ context.Context, account, _ string) { heard = append(heard, "connect "+account) },
		OnDisconnect: func(_ context.Context, account, _ string) error {
			heard = append(heard, "disconnect "+account)
			if fail {
				return errors.New("the app's hook failed")
			}
			return nil
		},
		OnErase: func(context.Context, string) (map[string]int, error) {
			return map[string]int{"app rows": 2, "posts": 1}, nil
		},
	}))
	if err := v.Connect(ctx, tokens.Account{ID: "acct-1", Platform: "sandbox", Token: &oauth2.Token{AccessToken: "t"}}); err != nil {
		t.Fatal(err)
	}
	e.schedule(e.post("p1", time.Now().Add(time.Hour)))
	if err := v.Disconnect(ctx, "acct-1"); err == nil {
		t.Fatal("Disconnect succeeded although its hook failed")
	}
	if st := e.status("p1"); st.State != jobs.StateScheduled {
		t.Errorf("after the app's hook failed, p1 is %s; want jobs' hook not run", st.State)
	}
	fail = false
	rc, err := v.Erase(ctx, "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"connect acct-1", "disconnect acct-1", "disconnect acct-1"}; !slices.Equal(heard, want) {
		t.Errorf("the app's hooks heard %v, want %v", heard, want)
	}
	if rc.Deleted["app rows"] != 2 || rc.Deleted["posts"] != 2 {
		t.Errorf("erase deleted %v, want the app's 2 rows and 1+1 posts", rc.Deleted)
	}
	if got := e.streamTypes("acct-1"); !slices.Equal(got, []string{events.AccountErased}) {
		t.Errorf("events after erase %v", got)
	}
}
