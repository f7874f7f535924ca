package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/heraldhq/herald/tenant"
)

const (
	tokShop = "shop-api:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	tokBlog = "blog-api:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	tokOps  = "ops:cccccccccccccccccccccccccccccccc"
)

func TestTenants(t *testing.T) {
	c, err := LoadFrom(map[string]string{
		"HERALD_API_TOKENS":      tokShop + "," + tokBlog + "," + tokOps,
		"HERALD_WEBHOOKS":        "shop-hooks=https://shop.example/h,blog-hooks=https://blog.example/h",
		"HERALD_WEBHOOK_SECRETS": "shop-hooks=" + strings.Repeat("s", 24) + ",blog-hooks=" + strings.Repeat("b", 24),
		"HERALD_TENANTS":         "shop:shop-api,shop-hooks; blog:blog-api,blog-hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	tc := c.TenantConfig()
	for key, want := range map[string]string{"shop-api": "shop", "blog-api": "blog", "ops": tenant.Default} {
		if got := tc.OfKey(key); got != want {
			t.Errorf("OfKey(%s) = %s, want %s", key, got, want)
		}
	}
	if tc.OfEndpoint("blog-hooks") != "blog" {
		t.Errorf("OfEndpoint(blog-hooks) = %s", tc.OfEndpoint("blog-hooks"))
	}
	want := []Tenant{
		{Name: "default", Keys: []string{"ops"}},
		{Name: "blog", Keys: []string{"blog-api"}, Endpoints: []string{"blog-hooks"}},
		{Name: "shop", Keys: []string{"shop-api"}, Endpoints: []string{"shop-hooks"}},
	}
	if got := c.TenantList(); !reflect.DeepEqual(got, want) {
		t.Errorf("TenantList:\n got %+v\nwant %+v", got, want)
	}
	// Doctor's view names keys, never their tokens.
	if s := fmt.Sprint(c.TenantList()); strings.Contains(s, "bbbb") || strings.Contains(s, "ssss") {
		t.Errorf("TenantList shows a secret: %s", s)
	}
}

func TestTenantsUnset(t *testing.T) {
	c, err := LoadFrom(map[string]string{"HERALD_API_TOKENS": tokShop})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TenantConfig().Names(); len(got) != 1 || got[0] != tenant.Default || c.TenantConfig().OfKey("shop-api") != tenant.Default {
		t.Errorf("without HERALD_TENANTS: Names = %v, shop-api serves %s", got, c.TenantConfig().OfKey("shop-api"))
	}
}

// A process given only some settings (compose gives the worker no API
// keys) takes the names it cannot check on trust, and says so.
func TestTenantsTrustWhatIsNotConfiguredHere(t *testing.T) {
	c, err := LoadFrom(map[string]string{
		"HERALD_WEBHOOKS":        "shop-hooks=https://shop.example/h",
		"HERALD_WEBHOOK_SECRETS": "shop-hooks=" + strings.Repeat("s", 24),
		"HERALD_TENANTS":         "shop:shop-api,shop-hooks",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantConfig().OfEndpoint("shop-hooks") != "shop" || c.TenantConfig().OfKey("shop-api") != "shop" {
		t.Error("members not assigned")
	}
	want := []Tenant{{Name: "default"}, {Name: "shop", Endpoints: []string{"shop-hooks"}, Unchecked: []string{"shop-api"}}}
	if got := c.TenantList(); !reflect.DeepEqual(got, want) {
		t.Errorf("TenantList:\n got %+v\nwant %+v", got, want)
	}
	// With webhooks configured here, a name that is neither is wrong.
	_, err = LoadFrom(map[string]string{
		"HERALD_API_TOKENS":      tokShop,
		"HERALD_WEBHOOKS":        "shop-hooks=https://shop.example/h",
		"HERALD_WEBHOOK_SECRETS": "shop-hooks=" + strings.Repeat("s", 24),
		"HERALD_TENANTS":         "shop:shop-api,shop-hoks",
	})
	if err == nil || !strings.Contains(err.Error(), `"shop-hoks" is neither`) {
		t.Errorf("a misspelt endpoint: %v", err)
	}
}

func TestTenantsErrors(t *testing.T) {
	base := map[string]string{
		"HERALD_API_TOKENS":      tokShop + "," + tokBlog,
		"HERALD_WEBHOOKS":        "shop-hooks=https://shop.example/h",
		"HERALD_WEBHOOK_SECRETS": "shop-hooks=" + strings.Repeat("s", 24),
	}
	tests := []struct{ spec, want string }{
		{"shop", "HERALD_TENANTS=shop: entry 1: want tenant:member,member"},
		{"Shop:shop-api", `HERALD_TENANTS=Shop:shop-api: entry 1: tenant name "Shop" may contain only lower-case letters`},
		{"shop:nobody", `HERALD_TENANTS=shop:nobody: tenant shop: "nobody" is neither an API key name (HERALD_API_TOKENS) nor a webhook endpoint name (HERALD_WEBHOOKS)`},
		{"shop:shop-api;blog:shop-api", `tenant blog: API key "shop-api" already belongs to tenant shop`},
		{"shop:shop-hooks;blog:shop-hooks", `tenant blog: webhook endpoint "shop-hooks" already belongs to tenant shop`},
		{"shop:shop-api;shop:blog-api", "entry 2: tenant shop listed twice"},
		{"a~b:shop-api", `tenant name "a~b" may contain only`},
	}
	for _, tt := range tests {
		env := map[string]string{"HERALD_TENANTS": tt.spec}
		for k, v := range base {
			env[k] = v
		}
		_, err := LoadFrom(env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("HERALD_TENANTS=%q: %v\nwant an error with %q", tt.spec, err, tt.want)
			continue
		}
		// Never a token, though the keys' names are named.
		if strings.Contains(err.Error(), "aaaa") || strings.Contains(err.Error(), strings.Repeat("s", 24)) {
			t.Errorf("HERALD_TENANTS=%q: the error shows a secret: %v", tt.spec, err)
		}
	}
	// Two problems, two lines, each naming the variable.
	env := map[string]string{"HERALD_TENANTS": "shop:nobody;Blog:blog-api"}
	for k, v := range base {
		env[k] = v
	}
	_, err := LoadFrom(env)
	if err == nil || strings.Count(err.Error(), "HERALD_TENANTS=") != 2 {
		t.Errorf("two problems: %v", err)
	}
}
