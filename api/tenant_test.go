package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// opsKey is a third key, left in the default tenant.
const opsKey = "ops-key-0123456789abcdefghijklmnopqr"

// withTenants puts the fixture's keys in two tenants: testKey ("app")
// acts for shop, otherKey ("ci") for blog, opsKey for the default.
func withTenants(t *testing.T) func(*Options, *redistest.DB) {
	return func(o *Options, _ *redistest.DB) {
		o.Tokens[opsKey] = "ops"
		tc, err := tenant.Parse("shop:app;blog:ci", []string{"app", "ci", "ops"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o.Tenants = tc
	}
}

// as sends a request with key.
func (f *fixture) as(key, method, path, body string) response {
	f.t.Helper()
	return f.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + key})
}

// sameAnswer fails unless a and b are the same response, but for the
// receipt's time (an erase answers when it ran).
func sameAnswer(t *testing.T, what string, a, b response) {
	t.Helper()
	strip := func(r response) string {
		var m map[string]any
		if json.Unmarshal(r.body, &m) == nil {
			delete(m, "at")
			s, _ := json.Marshal(m)
			return fmt.Sprintf("%d %s", r.status, s)
		}
		return fmt.Sprintf("%d %s", r.status, r.body)
	}
	if strip(a) != strip(b) {
		t.Errorf("%s: another tenant's answers\n  %s\nwhere a missing one answers\n  %s", what, strip(b), strip(a))
	}
}

// TestTenantsSeeOnlyTheirOwn: two tenants with the same account and post
// ids each schedule, read, list, edit, cancel, disconnect and erase only
// their own, and every attempt at the other's answers exactly as for
// something that does not exist.
func TestTenantsSeeOnlyTheirOwn(t *testing.T) {
	f := newFixture(t, withTenants(t))
	shop, blog := testKey, otherKey
	shopAt := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	blogAt := shopAt.Add(time.Minute)

	// What blog may try on shop's things; each is compared with the same
	// request for things that exist nowhere (p-none, acct-none).
	probes := []struct{ method, path, body string }{
		{"GET", "/v1/posts/p-shop", ""},
		{"PATCH", "/v1/posts/p-shop", `{"publish_at":"` + blogAt.Format(time.RFC3339) + `"}`},
		{"DELETE", "/v1/posts/p-shop", ""},
		{"GET", "/v1/accounts/acct-shop", ""},
		{"GET", "/v1/accounts/acct-shop/posts", ""},
		{"GET", "/v1/posts?account_id=acct-shop", ""},
		{"GET", "/v1/accounts/acct-shop/analytics", ""},
		{"POST", "/v1/accounts/acct-shop/analytics/refresh", ""},
		{"POST", "/v1/accounts/acct-shop/disconnect", ""},
		{"GET", "/v1/accounts/acct-shop/creator-info", ""},
		{"DELETE", "/v1/accounts/acct-shop", ""},
	}

	for _, key := range []string{shop, blog} {
		expect(t, f.as(key, "POST", "/v1/accounts", connectBody("acct-1", "youtube")), http.StatusCreated)
	}
	expect(t, f.as(shop, "POST", "/v1/accounts", connectBody("acct-shop", "youtube")), http.StatusCreated)
	// The same ids in both tenants are two posts: both are new (201), not
	// a repeat (200) nor a conflict (409).
	for _, id := range []string{"p1", "p2"} {
		r := f.as(shop, "POST", "/v1/posts", postBody(id, "acct-1", "youtube", shopAt))
		expect(t, r, http.StatusCreated)
		if r.header.Get("Location") != "/v1/posts/"+id {
			t.Errorf("Location %q", r.header.Get("Location"))
		}
		expect(t, f.as(blog, "POST", "/v1/posts", postBody(id, "acct-1", "youtube", blogAt)), http.StatusCreated)
	}
	expect(t, f.as(shop, "POST", "/v1/posts", postBody("p-shop", "acct-shop", "youtube", shopAt)), http.StatusCreated)
	var batch struct {
		Results []batchResult `json:"results"`
	}
	f.as(blog, "POST", "/v1/posts/batch", `{"posts":[`+postBody("p3", "acct-1", "youtube", blogAt)+`]}`).json(t, &batch)
	f.as(shop, "POST", "/v1/posts/batch", `{"posts":[`+postBody("p3", "acct-1", "youtube", shopAt)+","+postBody("p1", "acct-1", "youtube", shopAt)+`]}`).json(t, &batch)
	if len(batch.Results) != 2 || batch.Results[0].Result != jobs.ResultCreated || batch.Results[1].Result != jobs.ResultUnchanged ||
		batch.Results[0].Status.PostID != "p3" || batch.Results[0].Status.AccountID != "acct-1" {
		t.Errorf("shop's batch after blog's: %+v", batch.Results)
	}

	// Each reads its own, under its own ids.
	for key, at := range map[string]time.Time{shop: shopAt, blog: blogAt} {
		var st jobs.PostStatus
		f.as(key, "GET", "/v1/posts/p1", "").json(t, &st)
		if st.PostID != "p1" || st.AccountID != "acct-1" || !st.PublishAt.Equal(at) {
			t.Errorf("GET p1 answers %+v, want its own tenant's (publish_at %s)", st, at)
		}
		var page jobs.ListPage
		f.as(key, "GET", "/v1/accounts/acct-1/posts?limit=2", "").json(t, &page)
		if len(page.Posts) != 2 || page.NextCursor == "" {
			t.Fatalf("first page %+v", page)
		}
		var next jobs.ListPage
		f.as(key, "GET", "/v1/posts?account_id=acct-1&cursor="+page.NextCursor, "").json(t, &next)
		all := append(page.Posts, next.Posts...)
		var ids []string
		for _, p := range all {
			ids = append(ids, p.PostID)
			if !p.PublishAt.Equal(at) || p.AccountID != "acct-1" {
				t.Errorf("listing shows %+v, not its own tenant's", p)
			}
		}
		if strings.Join(ids, ",") != "p1,p2,p3" {
			t.Errorf("listing shows %v, want p1,p2,p3", ids)
		}
		var info tokens.Info
		f.as(key, "GET", "/v1/accounts/acct-1", "").json(t, &info)
		if info.ID != "acct-1" {
			t.Errorf("account answers id %q", info.ID)
		}
	}

	// Every attempt at shop's things answers as for missing ones.
	for _, p := range probes {
		none := strings.ReplaceAll(p.path, "-shop", "-none")
		missing := f.as(blog, p.method, none, p.body)
		missing.body = []byte(strings.ReplaceAll(string(missing.body), "-none", "-shop"))
		sameAnswer(t, p.method+" "+p.path, missing, f.as(blog, p.method, p.path, p.body))
	}
	expect(t, f.as(shop, "GET", "/v1/posts/p-shop", ""), http.StatusOK)
	expect(t, f.as(shop, "GET", "/v1/accounts/acct-shop", ""), http.StatusOK)

	// A stored id is no app id: no key reaches another tenant with one,
	// the default tenant's (whose ids are stored as they are) included.
	for _, key := range []string{opsKey, blog} {
		for _, path := range []string{"/v1/posts/shop~p-shop", "/v1/accounts/shop~acct-shop"} {
			r := f.as(key, "GET", path, "")
			expect(t, r, http.StatusBadRequest)
			if r.error(t).Code != codeInvalid {
				t.Errorf("GET %s: %s", path, r.body)
			}
		}
		r := f.as(key, "POST", "/v1/accounts", connectBody("shop~acct-shop", "youtube"))
		expect(t, r, http.StatusBadRequest)
		r = f.as(key, "POST", "/v1/posts", postBody("x", "shop~acct-shop", "youtube", blogAt))
		expect(t, r, http.StatusBadRequest)
	}

	// Edit, cancel, disconnect: each touches its own tenant only.
	expect(t, f.as(blog, "PATCH", "/v1/posts/p2", `{"content":{"text":"blog's edit"}}`), http.StatusOK)
	expect(t, f.as(shop, "DELETE", "/v1/posts/p1", ""), http.StatusOK)
	state := func(key, id string) jobs.State {
		var st jobs.PostStatus
		f.as(key, "GET", "/v1/posts/"+id, "").json(t, &st)
		return st.State
	}
	if state(shop, "p1") != jobs.StateCanceled || state(blog, "p1") != jobs.StateScheduled {
		t.Errorf("after shop canceled p1: shop's %s, blog's %s", state(shop, "p1"), state(blog, "p1"))
	}
	expect(t, f.as(shop, "POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)
	accountStatus := func(key string) tokens.Status {
		var info tokens.Info
		f.as(key, "GET", "/v1/accounts/acct-1", "").json(t, &info)
		return info.Status
	}
	if accountStatus(shop) == tokens.StatusActive || accountStatus(blog) != tokens.StatusActive {
		t.Errorf("after shop's disconnect: shop's acct-1 %s, blog's %s", accountStatus(shop), accountStatus(blog))
	}
	if state(shop, "p2") != jobs.StateCanceled || state(blog, "p2") != jobs.StateScheduled || state(blog, "p3") != jobs.StateScheduled {
		t.Errorf("after shop's disconnect: shop's p2 %s, blog's p2 %s, p3 %s", state(shop, "p2"), state(blog, "p2"), state(blog, "p3"))
	}

	// Erase shop's acct-1: nothing of it is left, and blog's acct-1 is
	// whole (its token, its posts, its index).
	var rc tokens.Receipt
	r := f.as(shop, "DELETE", "/v1/accounts/acct-1", "")
	expect(t, r, http.StatusOK)
	r.json(t, &rc)
	if rc.AccountID != "acct-1" || rc.Deleted["posts"] != 3 {
		t.Errorf("receipt %+v", rc)
	}
	expect(t, f.as(shop, "GET", "/v1/accounts/acct-1", ""), http.StatusNotFound)
	expect(t, f.as(shop, "GET", "/v1/posts/p1", ""), http.StatusNotFound)
	d := f.dump()
	for k, v := range d {
		if strings.Contains(k, "shop~acct-1") || strings.Contains(v, "shop~acct-1") ||
			strings.Contains(k, "shop~p1") || strings.Contains(k, "shop~p2") || strings.Contains(k, "shop~p3") {
			t.Errorf("after the erase of shop's acct-1, %s holds it: %.300s", k, v)
		}
	}
	for _, k := range []string{"herald:{acct:blog~acct-1}:token", "herald:{acct:blog~acct-1}:posts",
		"herald:{post:blog~p1}", "herald:{post:blog~p2}", "herald:{post:blog~p3}",
		"herald:{acct:shop~acct-shop}:token", "herald:{post:shop~p-shop}"} {
		if d[k] == "" {
			t.Errorf("after the erase of shop's acct-1, %s is gone", k)
		}
	}
	if !strings.Contains(d["herald:{acct:blog~acct-1}:posts"], "blog~p3") {
		t.Errorf("blog's index: %s", d["herald:{acct:blog~acct-1}:posts"])
	}
	if accountStatus(blog) != tokens.StatusActive || state(blog, "p1") != jobs.StateScheduled {
		t.Errorf("blog's acct-1 %s, p1 %s after shop's erase", accountStatus(blog), state(blog, "p1"))
	}
	var st jobs.PostStatus
	f.as(blog, "GET", "/v1/posts/p2", "").json(t, &st)
	var page jobs.ListPage
	f.as(blog, "GET", "/v1/accounts/acct-1/posts", "").json(t, &page)
	if len(page.Posts) != 3 {
		t.Errorf("blog lists %d posts after shop's erase", len(page.Posts))
	}
}

// TestDefaultTenantIsUnchanged: without HERALD_TENANTS every key acts for
// the default tenant, whose ids are stored as they are (no migration):
// two keys see the same accounts and posts, as before tenants.
func TestDefaultTenantIsUnchanged(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	expect(t, f.do("POST", "/v1/posts", postBody("p1", "acct-1", "youtube", time.Now().Add(time.Hour))), http.StatusCreated)
	expect(t, f.as(otherKey, "GET", "/v1/posts/p1", ""), http.StatusOK)
	d := f.dump()
	if d["herald:{acct:acct-1}:token"] == "" || d["herald:{post:p1}"] == "" {
		t.Errorf("the default tenant's keys are not the unqualified ones: %v", d)
	}
}

// TestDeauthReachesEveryTenant: a platform's notice names a platform
// user, not a tenant. One Facebook user connected in shop and in blog
// (the same account id in both): one deauthorize disconnects both,
// cancels both tenants' posts, and each tenant gets its own event.
func TestDeauthReachesEveryTenant(t *testing.T) {
	f := newCallbackFixtureWith(t, withTenants(t))
	at := time.Now().Add(time.Hour)
	for _, key := range []string{testKey, otherKey} {
		body := fmt.Sprintf(`{"account_id":"ig-1","platform":"instagram","platform_user_id":"17841400000000001","login_user_id":"fb-user-1",
			"access_token":%q,"expiry":%q}`, accessTok, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		expect(t, f.as(key, "POST", "/v1/accounts", body), http.StatusCreated)
		expect(t, f.as(key, "POST", "/v1/posts", postBody("post-1", "ig-1", "instagram", at)), http.StatusCreated)
	}
	// Someone else's account of another user stays.
	f.connectAs("ig-2", "instagram", "17841400000000002", "fb-user-2")

	expect(t, f.form("/v1/callbacks/meta/deauthorize", signedRequest("fb-user-1")), http.StatusOK)

	for _, key := range []string{testKey, otherKey} {
		var info tokens.Info
		f.as(key, "GET", "/v1/accounts/ig-1", "").json(t, &info)
		if info.ID != "ig-1" || info.Status == tokens.StatusActive {
			t.Errorf("key %s: ig-1 %+v after the deauthorize", key[:4], info)
		}
		var post jobs.PostStatus
		f.as(key, "GET", "/v1/posts/post-1", "").json(t, &post)
		if post.State != jobs.StateCanceled {
			t.Errorf("key %s: post-1 %s, want canceled", key[:4], post.State)
		}
	}
	var info tokens.Info
	f.do("GET", "/v1/accounts/ig-2", "").json(t, &info)
	if info.Status != tokens.StatusActive {
		t.Errorf("another user's account is %s", info.Status)
	}
	// One event per tenant's account, each naming its stored id (the
	// event stream shows each tenant only its own).
	var got []string
	for _, e := range f.events {
		got = append(got, e.AccountID)
	}
	if strings.Join(got, ",") != "blog~ig-1,shop~ig-1" {
		t.Errorf("events for %v, want blog~ig-1 and shop~ig-1", got)
	}
}

// A consent started with a key is bound to the key's tenant: the
// callback will connect that tenant's account (package connect).
func TestConnectionIsBoundToTheKeysTenant(t *testing.T) {
	f := newFixture(t, withTenants(t), withConnect(t))
	expect(t, f.do("POST", "/v1/connections", `{"platform":"sandbox","account_id":"acct-1","return_url":"https://app.example/connected"}`), http.StatusCreated)
	found := false
	for k, v := range f.dump() {
		if strings.HasPrefix(k, "herald:connect:state:") {
			found = true
			if !strings.Contains(v, `"tenant":"shop"`) || !strings.Contains(v, `"key":"app"`) {
				t.Errorf("state record %s", v)
			}
		}
	}
	if !found {
		t.Fatal("no state record")
	}
}
