package tenant_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/tenant"
)

func TestQualifyKeepsTenantsApart(t *testing.T) {
	tests := []struct {
		tenant, id, want string
	}{
		{"", "acct-1", "acct-1"},
		{tenant.Default, "acct-1", "acct-1"},
		{"shop", "acct-1", "shop~acct-1"},
		{"blog", "acct-1", "blog~acct-1"},
		{"shop", "a:b.c", "shop~a:b.c"},
	}
	for _, tt := range tests {
		q := tenant.Qualify(tt.tenant, tt.id)
		if q != tt.want {
			t.Errorf("Qualify(%q, %q) = %q, want %q", tt.tenant, tt.id, q, tt.want)
		}
		gotT, gotID := tenant.Split(q)
		wantT := tt.tenant
		if wantT == "" {
			wantT = tenant.Default
		}
		if gotT != wantT || gotID != tt.id {
			t.Errorf("Split(%q) = %q, %q; want %q, %q", q, gotT, gotID, wantT, tt.id)
		}
		if !tenant.Owns(wantT, q) {
			t.Errorf("Owns(%q, %q) = false", wantT, q)
		}
	}
	if tenant.Owns("blog", "shop~acct-1") || tenant.Owns(tenant.Default, "shop~acct-1") || tenant.Owns("shop", "acct-1") {
		t.Error("a tenant owns another tenant's id")
	}
}

// No app id can be a qualified id: the separator is not an id character.
func TestSeparatorIsNoIDCharacter(t *testing.T) {
	if input.ValidID("shop" + tenant.Sep + "acct-1") {
		t.Fatal("an app may name an account shop~acct-1 and reach tenant shop's acct-1")
	}
}

func TestCheck(t *testing.T) {
	for _, ok := range []string{"default", "shop", "a", "app-2", strings.Repeat("x", tenant.MaxNameLen)} {
		if err := tenant.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Shop", "-shop", "sh op", "shop~x", "a_b", "other", strings.Repeat("x", tenant.MaxNameLen+1)} {
		if err := tenant.Check(bad); err == nil {
			t.Errorf("Check(%q) = nil", bad)
		}
	}
}

func TestParse(t *testing.T) {
	keys := []string{"shop-api", "blog-api", "ops"}
	hooks := []string{"shop-hooks", "blog-hooks"}
	c, err := tenant.Parse("shop:shop-api,shop-hooks; blog: blog-api , blog-hooks", keys, hooks)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"shop-api": "shop", "blog-api": "blog", "ops": tenant.Default, "missing": tenant.Default} {
		if got := c.OfKey(name); got != want {
			t.Errorf("OfKey(%q) = %q, want %q", name, got, want)
		}
	}
	if c.OfEndpoint("shop-hooks") != "shop" || c.OfEndpoint("blog-hooks") != "blog" {
		t.Errorf("endpoints: %q %q", c.OfEndpoint("shop-hooks"), c.OfEndpoint("blog-hooks"))
	}
	if got := strings.Join(c.Names(), ","); got != "default,blog,shop" {
		t.Errorf("Names = %s", got)
	}
	if c.Label("shop") != "shop" || c.Label("gone") != "other" {
		t.Error("Label")
	}

	var zero tenant.Config
	if zero.OfKey("x") != tenant.Default || len(zero.Names()) != 1 {
		t.Error("the zero Config is not the default tenant alone")
	}

	bad := []struct{ spec, want string }{
		{"shop", "want tenant:member"},
		{"Shop:shop-api", "lower-case"},
		{"shop:nobody", `"nobody" is neither`},
		{"shop:shop-api;blog:shop-api", "already belongs to tenant shop"},
		{"shop:shop-hooks;blog:shop-hooks", "already belongs to tenant shop"},
		{"shop:shop-api;shop:blog-api", "listed twice"},
	}
	for _, b := range bad {
		_, err := tenant.Parse(b.spec, keys, hooks)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", b.spec, err, b.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("shop", "acct-1")
	f.Add("default", "x")
	f.Fuzz(func(t *testing.T, tn, id string) {
		if tenant.Check(tn) != nil || !input.ValidID(id) {
			return
		}
		gt, gid := tenant.Split(tenant.Qualify(tn, id))
		if gt != tn || gid != id {
			t.Fatalf("Split(Qualify(%q, %q)) = %q, %q", tn, id, gt, gid)
		}
	})
}

func TestCheckStored(t *testing.T) {
	for _, ok := range []string{"acct-1", "shop~acct-1", "a:b.c", "blog~a:b.c"} {
		if err := tenant.CheckStored("account_id", ok); err != nil {
			t.Errorf("CheckStored(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "~acct-1", "shop~", "Shop~acct-1", "default~acct-1", "shop~a~b", "shop~a b", "a b"} {
		if err := tenant.CheckStored("account_id", bad); err == nil || err.Field != "account_id" {
			t.Errorf("CheckStored(%q) = %v, want an error naming account_id", bad, err)
		}
	}
}

func FuzzCheckStored(f *testing.F) {
	f.Add("shop~acct-1")
	f.Add("acct-1")
	f.Fuzz(func(t *testing.T, id string) {
		if tenant.CheckStored("id", id) != nil {
			return
		}
		// A valid stored id splits into a valid tenant and app id, and
		// qualifies back to itself.
		tn, app := tenant.Split(id)
		if tenant.Check(tn) != nil || !input.ValidID(app) || tenant.Qualify(tn, app) != id {
			t.Fatalf("CheckStored accepted %q: Split = %q, %q", id, tn, app)
		}
	})
}
