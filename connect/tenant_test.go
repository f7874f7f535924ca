package connect_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/input"
)

// A consent is bound to the tenant of the key that started it: the
// callback stores that tenant's account, and the app hears its own id.
func TestConsentConnectsItsTenantsAccount(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, tn := range []string{"shop", ""} {
		s, err := r.flow.Start(ctx, connect.Request{Platform: "sandbox", AccountID: "acct-1", ReturnURL: r.app, Key: "app", Tenant: tn})
		if err != nil {
			t.Fatal(err)
		}
		res := r.result(r.get(r.consent(s.AuthorizeURL, allow()), http.StatusSeeOther))
		if res.Get("status") != "connected" || res.Get("account_id") != "acct-1" {
			t.Fatalf("tenant %q: return URL says %v", tn, res)
		}
		if tn == "shop" {
			// Only shop's account so far: the default tenant's is not.
			if _, err := r.h.Vault.Info(ctx, "acct-1"); err == nil {
				t.Fatal("shop's consent connected the default tenant's acct-1")
			}
		}
	}
	for _, stored := range []string{"shop~acct-1", "acct-1"} {
		if info, err := r.h.Vault.Info(ctx, stored); err != nil || info.PlatformUserID == "" {
			t.Errorf("%s: %+v %v", stored, info, err)
		}
	}

	_, err := r.flow.Start(ctx, connect.Request{Platform: "sandbox", AccountID: "acct-1", ReturnURL: r.app, Key: "app", Tenant: "Sh~op"})
	var fe *input.FieldError
	if !errors.As(err, &fe) || fe.Field != "tenant" {
		t.Errorf("a bad tenant: %v, want a FieldError on tenant", err)
	}
}
