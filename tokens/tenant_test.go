package tokens_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/heraldhq/herald/tokens"
)

// The Vault keeps stored ids (tenant.Qualify): the same app id in two
// tenants is two accounts, the platform-user index names both, and an
// erase of one leaves the other.
func TestStoredIdsOfTwoTenants(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	f.connectAs(v, "shop~chan-1", "UC-1", "google-sub-1")
	f.connectAs(v, "chan-1", "UC-1", "google-sub-1") // the default tenant's

	if got := accountsOf(t, v, "youtube", "google-sub-1"); !slices.Equal(got, []string{"chan-1", "shop~chan-1"}) {
		t.Errorf("a platform user connected in two tenants: %v", got)
	}
	if _, err := v.Erase(ctx, "shop~chan-1"); err != nil {
		t.Fatal(err)
	}
	if got := accountsOf(t, v, "youtube", "UC-1"); !slices.Equal(got, []string{"chan-1"}) {
		t.Errorf("after shop's erase: %v", got)
	}
	if info, err := v.Info(ctx, "chan-1"); err != nil || info.Status != tokens.StatusActive {
		t.Errorf("the default tenant's chan-1 after shop's erase: %+v %v", info, err)
	}
	for _, bad := range []string{"shop~", "~chan-1", "default~chan-1", "Shop~chan-1", "shop~a~b"} {
		if err := v.Disconnect(ctx, bad); !errors.Is(err, tokens.ErrInvalid) {
			t.Errorf("Disconnect(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
