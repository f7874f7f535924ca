package heraldtest_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tokens"
)

// A platform given with the Platform option joins the Worker's registry
// and the Vault, with its token refresh: an expired token is refreshed
// through it before the post goes out.
func TestPlatformOptionJoinsWorkerAndVault(t *testing.T) {
	t.Parallel()
	other := sandboxserver.New()
	t.Cleanup(other.Close)
	var refreshes atomic.Int32
	h := heraldtest.Start(t, heraldtest.Platform(publishers.Platform{
		Name:      "othernet",
		Publisher: sandbox.New(other.URL(), nil),
		Tokens: publishers.Tokens{Refresh: func(ctx context.Context, _ *http.Client, old *oauth2.Token) (*oauth2.Token, error) {
			refreshes.Add(1)
			return &oauth2.Token{AccessToken: "fresh", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
		}},
	}))
	err := h.Vault.Connect(context.Background(), tokens.Account{
		ID: "acct-9", Platform: "othernet", PlatformUserID: "o-9",
		Token: &oauth2.Token{AccessToken: "stale", TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := hello("post-9")
	p.AccountID, p.Platform = "acct-9", "othernet"
	h.SchedulePost(t, p)

	h.WaitPublished(t, "post-9")
	if n := other.Published("post-9"); n != 1 {
		t.Errorf("othernet has post-9 %d times, want 1", n)
	}
	if len(h.Published()) != 0 {
		t.Errorf("the built-in sandbox got %+v, want nothing", h.Published())
	}
	if n := refreshes.Load(); n != 1 {
		t.Errorf("%d refreshes through the platform, want 1", n)
	}
}

// A platform given twice is a mistake New reports, instead of the
// registry's panic.
func TestPlatformGivenTwiceIsAnError(t *testing.T) {
	t.Parallel()
	_, err := heraldtest.New(context.Background(), heraldtest.Platform(sandbox.Platform("http://127.0.0.1:1", nil)))
	if err == nil || !strings.Contains(err.Error(), `platform "sandbox" given twice`) {
		t.Errorf("New = %v, want the repeated platform named", err)
	}
}
