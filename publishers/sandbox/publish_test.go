package sandbox_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

const token = "tok-8f3a9c1d2e"

func start(t *testing.T) (*sandboxtest.Server, *sandbox.Publisher) {
	t.Helper()
	srv := sandboxtest.New()
	t.Cleanup(srv.Close)
	return srv, sandbox.New(srv.URL(), nil)
}

func request(postID string, cp publishers.Checkpoints) publishers.Request {
	return publishers.Request{
		PostID: postID, AccountID: "acct-1", Attempt: 1,
		Content: publishers.Content{
			Title: "Hello", Text: "Hello from " + postID,
			Media: []publishers.Media{{URL: "http://example.com/a.jpg", Kind: publishers.MediaImage}},
		},
		Token:       &oauth2.Token{AccessToken: token},
		Checkpoints: cp,
	}
}

// drafts counts the draft creations the server saw.
func drafts(srv *sandboxtest.Server) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Method == http.MethodPost && c.Path == "/v1/drafts" {
			n++
		}
	}
	return n
}

func TestPublishCreatesADraftThenPublishesIt(t *testing.T) {
	srv, p := start(t)
	cp := &publisherstest.Checkpoints{}
	res, err := p.Publish(context.Background(), request("post-1", cp))
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	got := posts[0]
	if res.RemoteID != got.ID || res.URL != got.URL || !strings.HasPrefix(res.URL, srv.URL()+"/p/") {
		t.Errorf("result %+v, platform has %+v", res, got)
	}
	if got.Ref != "post-1" || got.AccountID != "acct-1" || got.Title != "Hello" || got.Text != "Hello from post-1" || len(got.Media) != 1 || got.Media[0].Kind != "image" {
		t.Errorf("platform post %+v does not match the request", got)
	}
	if d := cp.Get(sandbox.CheckpointDraft); d != got.DraftID {
		t.Errorf("draft checkpoint = %q, want %q", d, got.DraftID)
	}
}

func TestRetryAfterCrashReusesTheSavedDraft(t *testing.T) {
	srv, p := start(t)
	ctx, crash := context.WithCancel(context.Background())
	cp := &publisherstest.Checkpoints{OnSave: func(string, string) { crash() }}
	if _, err := p.Publish(ctx, request("post-1", cp)); !errors.Is(err, context.Canceled) {
		t.Fatalf("first attempt: err = %v, want canceled", err)
	}
	if cp.Get(sandbox.CheckpointDraft) == "" {
		t.Fatal("no draft saved before the crash")
	}

	cp.OnSave = nil
	if _, err := p.Publish(context.Background(), request("post-1", cp)); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if n := drafts(srv); n != 1 {
		t.Errorf("%d drafts created, want 1", n)
	}
	if n := srv.Published("post-1"); n != 1 {
		t.Errorf("published %d times, want 1", n)
	}
}

func TestRetryAfterPublishFailureReusesTheDraft(t *testing.T) {
	srv, p := start(t)
	cp := &publisherstest.Checkpoints{OnSave: func(string, string) { srv.FailNext(1, sandboxtest.Fault{Status: 503}) }}
	_, err := p.Publish(context.Background(), request("post-1", cp))
	if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "publish draft") {
		t.Fatalf("first attempt: err = %v, want a transient failure to publish the draft", err)
	}
	cp.OnSave = nil
	if _, err := p.Publish(context.Background(), request("post-1", cp)); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if n := drafts(srv); n != 1 {
		t.Errorf("%d drafts created, want 1", n)
	}
	if n := srv.Published("post-1"); n != 1 {
		t.Errorf("published %d times, want 1", n)
	}
}

func TestRetryAfterLostAnswerPublishesOnce(t *testing.T) {
	// The first attempt publishes but its answer never reaches the
	// worker; the retry finds the saved draft and gets the same post.
	srv, p := start(t)
	cp := &publisherstest.Checkpoints{}
	first, err := p.Publish(context.Background(), request("post-1", cp))
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.Publish(context.Background(), request("post-1", cp))
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("retry got %+v, want the first post %+v", second, first)
	}
	if n := srv.Published("post-1"); n != 1 {
		t.Errorf("published %d times, want 1", n)
	}
	if n := drafts(srv); n != 1 {
		t.Errorf("%d drafts created, want 1", n)
	}
}

func TestFaultsAreClassified(t *testing.T) {
	tests := []struct {
		name  string
		fault sandboxtest.Fault
		class publishers.Class
		wait  time.Duration
		text  string
	}{
		{"unauthorized", sandboxtest.Fault{Status: 401}, publishers.ClassReauth, 0, "sandbox: create draft: 401 invalid_token"},
		{"invalid post", sandboxtest.Fault{Status: 422, Message: "video too long"}, publishers.ClassPermanent, 0, "sandbox: create draft: 422 invalid_post: video too long"},
		{"bad request", sandboxtest.Fault{Status: 400, Message: "no"}, publishers.ClassPermanent, 0, "400 bad_request: no"},
		{"not found", sandboxtest.Fault{Status: 404}, publishers.ClassPermanent, 0, "404 not_found"},
		{"rate limited", sandboxtest.Fault{Status: 429, RetryAfter: 3 * time.Second}, publishers.ClassRateLimited, 3 * time.Second, "429 rate_limited"},
		{"rate limited, no delay", sandboxtest.Fault{Status: 429}, publishers.ClassRateLimited, 0, "429 rate_limited"},
		{"unavailable", sandboxtest.Fault{Status: 503}, publishers.ClassTransient, 0, "sandbox: create draft: 503 unavailable"},
		{"internal error", sandboxtest.Fault{Status: 500, Code: "boom", Message: "oops"}, publishers.ClassTransient, 0, "500 boom: oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, p := start(t)
			srv.FailRef("post-1", 1, tt.fault)
			_, err := p.Publish(context.Background(), request("post-1", &publisherstest.Checkpoints{}))
			if c := publishers.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after = %s, want %s", wait, tt.wait)
			}
			if err == nil || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %v lacks %q", err, tt.text)
			}
			if n := srv.Published("post-1"); n != 0 {
				t.Errorf("published %d times", n)
			}
		})
	}
}

func TestRevokedTokenAsksForReauth(t *testing.T) {
	_, p := start(t)
	req := request("post-1", &publisherstest.Checkpoints{})
	req.Token = &oauth2.Token{AccessToken: "revoked"}
	_, err := p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassReauth {
		t.Errorf("err = %v, want reauth", err)
	}
	req.Token = nil
	if _, err := p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassReauth {
		t.Errorf("without a token: err = %v, want reauth", err)
	}
}

func TestInvalidPostIsPermanent(t *testing.T) {
	_, p := start(t)
	req := request("post-1", &publisherstest.Checkpoints{})
	req.Content.Media = []publishers.Media{{URL: "http://example.com/a.gif", Kind: "gif"}}
	_, err := p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), `kind "gif"`) {
		t.Errorf("err = %v, want permanent with the platform's reason", err)
	}
}

func TestUnknownSavedDraftIsPermanent(t *testing.T) {
	srv, p := start(t)
	cp := &publisherstest.Checkpoints{}
	_ = cp.Save(context.Background(), sandbox.CheckpointDraft, "d_404")
	_, err := p.Publish(context.Background(), request("post-1", cp))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "publish draft d_404: 404 not_found") {
		t.Errorf("err = %v, want permanent not found", err)
	}
	if n := drafts(srv); n != 0 {
		t.Errorf("%d drafts created, want none", n)
	}
}

func TestPublishWithoutCheckpointsIsRefused(t *testing.T) {
	srv, p := start(t)
	if _, err := p.Publish(context.Background(), request("post-1", nil)); publishers.ClassOf(err) != publishers.ClassPermanent {
		t.Errorf("err = %v, want permanent", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("platform called %d times", n)
	}
}

func TestNetworkErrorIsTransient(t *testing.T) {
	srv, p := start(t)
	srv.Close()
	_, err := p.Publish(context.Background(), request("post-1", &publisherstest.Checkpoints{}))
	if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "sandbox: create draft: ") {
		t.Errorf("err = %v, want transient naming the step", err)
	}
}

func TestErrorsNeverContainTheToken(t *testing.T) {
	faults := []sandboxtest.Fault{
		{Status: 401, Message: "token " + token + " is revoked"},
		{Status: 422, Message: "Authorization: Bearer " + token},
		{Status: 429, Code: "rate_limited", Message: token},
		{Status: 503, Message: "upstream said " + token},
	}
	for _, f := range faults {
		srv, p := start(t)
		srv.FailNext(1, f)
		_, err := p.Publish(context.Background(), request("post-1", &publisherstest.Checkpoints{}))
		if err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("status %d: error %v contains the token", f.Status, err)
		}
	}
}

func TestPublishGivesUpWithItsContext(t *testing.T) {
	srv, p := start(t)
	srv.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := p.Publish(ctx, request("post-1", &publisherstest.Checkpoints{}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Errorf("class = %s, want transient", publishers.ClassOf(err))
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("Publish returned after %s", d)
	}
	eventually.True(t, 5*time.Second, func() bool {
		calls := srv.Calls()
		return len(calls) == 1 && calls[0].Status == 499
	}, "the platform saw the call abandoned")
	if n := srv.Published("post-1"); n != 0 {
		t.Errorf("published %d times", n)
	}
}

func TestAnalytics(t *testing.T) {
	srv, p := start(t)
	var ids []string
	for _, id := range []string{"post-1", "post-2"} {
		res, err := p.Publish(context.Background(), request(id, &publisherstest.Checkpoints{}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.RemoteID)
	}
	srv.SetFollowers("acct-1", 4321)
	srv.SetStats(ids[0], sandboxtest.Stats{Views: 900, Likes: 80, Comments: 7, Shares: 3})
	a, err := p.Analytics(context.Background(), publishers.AnalyticsRequest{
		AccountID: "acct-1", Token: &oauth2.Token{AccessToken: token},
		RemoteIDs: append(ids, "p_gone"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Account[publishers.MetricFollowers] != 4321 {
		t.Errorf("account metrics %v", a.Account)
	}
	// The raw metrics are the platform's answer, name for name.
	if want := (publishers.Metrics{"followers": 4321}); !maps.Equal(a.RawAccount, want) {
		t.Errorf("raw account metrics %v, want %v", a.RawAccount, want)
	}
	if want := (publishers.Metrics{"views": 900, "likes": 80, "comments": 7, "shares": 3}); !maps.Equal(a.RawPosts[ids[0]], want) || !maps.Equal(a.Posts[ids[0]], want) {
		t.Errorf("post %s: raw %v, common %v, want both %v", ids[0], a.RawPosts[ids[0]], a.Posts[ids[0]], want)
	}
	if len(a.RawPosts) != 2 || !maps.Equal(a.RawPosts[ids[1]], a.Posts[ids[1]]) {
		t.Errorf("raw posts %v, want the two known posts as reported", a.RawPosts)
	}
	if len(a.Posts) != 2 {
		t.Errorf("metrics for %d posts, want 2 (the unknown one left out): %v", len(a.Posts), a.Posts)
	}
	for _, id := range ids {
		m := a.Posts[id]
		for _, name := range []string{publishers.MetricViews, publishers.MetricLikes, publishers.MetricComments, publishers.MetricShares} {
			if _, ok := m[name]; !ok {
				t.Errorf("post %s lacks %s: %v", id, name, m)
			}
		}
		if m[publishers.MetricViews] <= 0 || m[publishers.MetricLikes] > m[publishers.MetricViews] {
			t.Errorf("post %s metrics implausible: %v", id, m)
		}
	}

	srv.FailNext(1, sandboxtest.Fault{Status: 401})
	_, err = p.Analytics(context.Background(), publishers.AnalyticsRequest{AccountID: "acct-1", Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassReauth || !strings.Contains(err.Error(), "read account stats") {
		t.Errorf("err = %v, want reauth naming the step", err)
	}
}
