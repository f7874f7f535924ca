package sandboxserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
)

func start(t *testing.T) *sandboxserver.Server {
	t.Helper()
	srv := sandboxserver.New()
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status     int
	retryAfter string
	body       map[string]any
}

// code is the error code of an error answer.
func (a answer) code() string {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func call(t *testing.T, ctx context.Context, srv *sandboxserver.Server, method, path, token, body string) (answer, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, b, err)
	}
	return a, nil
}

func mustCall(t *testing.T, srv *sandboxserver.Server, method, path, token, body string) answer {
	t.Helper()
	a, err := call(t, context.Background(), srv, method, path, token, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const draftBody = `{"account_id":"acct","ref":"post-1","title":"Hi","text":"Hello","media":[{"url":"http://x/a.jpg","kind":"image"}]}`

func TestDraftThenPublishMakesOnePost(t *testing.T) {
	srv := start(t)
	d := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
	if d.status != 201 || d.body["id"] != "d_1" {
		t.Fatalf("create draft = %d %v, want 201 d_1", d.status, d.body)
	}
	p := mustCall(t, srv, "POST", "/v1/drafts/d_1/publish", "tok", "")
	if p.status != 200 || p.body["id"] != "p_1" || p.body["url"] != srv.URL()+"/p/p_1" || p.body["created"] != true {
		t.Fatalf("publish = %d %v", p.status, p.body)
	}
	again := mustCall(t, srv, "POST", "/v1/drafts/d_1/publish", "tok", "")
	if again.status != 200 || again.body["id"] != "p_1" || again.body["created"] != false {
		t.Fatalf("publish again = %d %v, want the same post, not created", again.status, again.body)
	}
	if n := srv.Published("post-1"); n != 1 {
		t.Errorf("Published = %d, want 1", n)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].Ref != "post-1" || posts[0].DraftID != "d_1" || posts[0].Text != "Hello" || len(posts[0].Media) != 1 {
		t.Errorf("Posts = %+v", posts)
	}
	var created []bool
	for _, c := range srv.Calls() {
		created = append(created, c.Created)
		if c.Ref != "post-1" {
			t.Errorf("call %s %s has ref %q", c.Method, c.Path, c.Ref)
		}
	}
	if want := []bool{false, true, false}; !slices.Equal(created, want) {
		t.Errorf("calls created = %v, want %v", created, want)
	}
}

func TestEveryDraftCallMakesANewDraft(t *testing.T) {
	srv := start(t)
	a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
	b := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
	if a.body["id"] == b.body["id"] {
		t.Errorf("two drafts share id %v", a.body["id"])
	}
}

func TestAPIErrors(t *testing.T) {
	long := strings.Repeat("é", sandboxserver.MaxTextLength+1)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token", "POST", "/v1/drafts", "", draftBody, 401, "invalid_token"},
		{"revoked token", "POST", "/v1/drafts", "revoked", draftBody, 401, "invalid_token"},
		{"no account", "POST", "/v1/drafts", "tok", `{"ref":"r","text":"x"}`, 422, "invalid_post"},
		{"no ref", "POST", "/v1/drafts", "tok", `{"account_id":"a","text":"x"}`, 422, "invalid_post"},
		{"text too long", "POST", "/v1/drafts", "tok", `{"account_id":"a","ref":"r","text":"` + long + `"}`, 422, "invalid_post"},
		{"bad media kind", "POST", "/v1/drafts", "tok", `{"account_id":"a","ref":"r","media":[{"url":"u","kind":"gif"}]}`, 422, "invalid_post"},
		{"not json", "POST", "/v1/drafts", "tok", `{`, 400, "bad_request"},
		{"unknown draft", "POST", "/v1/drafts/d_9/publish", "tok", "", 404, "not_found"},
		{"unknown post stats", "GET", "/v1/posts/p_9/stats", "tok", "", 404, "not_found"},
		{"unknown endpoint", "GET", "/v1/nothing", "tok", "", 404, "not_found"},
	}
	srv := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustCall(t, srv, tt.method, tt.path, tt.token, tt.body)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("= %d %q, want %d %q (%v)", a.status, a.code(), tt.status, tt.code, a.body)
			}
		})
	}
	if n := len(srv.Posts()); n != 0 {
		t.Errorf("%d posts after only errors", n)
	}
}

func TestTextAtTheLimitIsAccepted(t *testing.T) {
	srv := start(t)
	text := strings.Repeat("é", sandboxserver.MaxTextLength)
	a := mustCall(t, srv, "POST", "/v1/drafts", "tok", `{"account_id":"a","ref":"r","text":"`+text+`"}`)
	if a.status != 201 {
		t.Errorf("= %d %v, want 201", a.status, a.body)
	}
}

func TestFailNextFailsThatManyCalls(t *testing.T) {
	srv := start(t)
	srv.FailNext(2, sandboxserver.Fault{Status: 429, RetryAfter: 3 * time.Second})
	for i := range 2 {
		a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
		if a.status != 429 || a.code() != "rate_limited" || a.retryAfter != "3" {
			t.Errorf("call %d = %d %q Retry-After %q, want 429 rate_limited 3", i+1, a.status, a.code(), a.retryAfter)
		}
	}
	if a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody); a.status != 201 {
		t.Errorf("third call = %d, want 201", a.status)
	}
}

func TestFailRefFailsOnlyThatRefIncludingItsPublish(t *testing.T) {
	srv := start(t)
	d := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
	srv.FailRef("post-1", 1, sandboxserver.Fault{Status: 422, Message: "video too long"})
	other := mustCall(t, srv, "POST", "/v1/drafts", "tok", `{"account_id":"a","ref":"other"}`)
	if other.status != 201 {
		t.Errorf("other ref = %d, want 201", other.status)
	}
	a := mustCall(t, srv, "POST", "/v1/drafts/"+d.body["id"].(string)+"/publish", "tok", "")
	e, _ := a.body["error"].(map[string]any)
	if a.status != 422 || a.code() != "invalid_post" || e["message"] != "video too long" {
		t.Errorf("publish = %d %v, want the injected 422", a.status, a.body)
	}
	if a := mustCall(t, srv, "POST", "/v1/drafts/"+d.body["id"].(string)+"/publish", "tok", ""); a.status != 200 {
		t.Errorf("publish after the fault = %d, want 200", a.status)
	}
}

func TestFailRefForeverUntilCleared(t *testing.T) {
	srv := start(t)
	srv.FailRef("post-1", -1, sandboxserver.Fault{})
	for range 3 {
		if a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody); a.status != 503 || a.code() != "unavailable" {
			t.Fatalf("= %d %q, want 503 unavailable", a.status, a.code())
		}
	}
	srv.FailRef("post-1", 0, sandboxserver.Fault{})
	if a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody); a.status != 201 {
		t.Errorf("after clearing = %d, want 201", a.status)
	}
}

func TestLatencyGivesUpWithTheCaller(t *testing.T) {
	srv := start(t)
	srv.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := call(t, ctx, srv, "POST", "/v1/drafts", "tok", draftBody)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	eventually.True(t, 5*time.Second, func() bool {
		calls := srv.Calls()
		return len(calls) == 1 && calls[0].Status == 499
	}, "the abandoned call recorded with status 499")
	srv.SetLatency(0)
	if a := mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody); a.body["id"] != "d_1" {
		t.Errorf("next draft = %v, want d_1: the abandoned call made none", a.body)
	}
}

func TestCloseEndsCallsWaitingOutLatency(t *testing.T) {
	srv := sandboxserver.New()
	srv.SetLatency(time.Hour)
	sent := make(chan struct{})
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) },
	})
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/v1/accounts/a/stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tok")
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-sent
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		srv.Close()
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waiting for a call in its latency")
	}
}

func TestStatsArePlausible(t *testing.T) {
	srv := start(t)
	mustCall(t, srv, "POST", "/v1/drafts", "tok", draftBody)
	mustCall(t, srv, "POST", "/v1/drafts/d_1/publish", "tok", "")
	acct := mustCall(t, srv, "GET", "/v1/accounts/acct/stats", "tok", "")
	if f, _ := acct.body["followers"].(float64); acct.status != 200 || f <= 0 {
		t.Errorf("account stats = %d %v", acct.status, acct.body)
	}
	post := mustCall(t, srv, "GET", "/v1/posts/p_1/stats", "tok", "")
	views, _ := post.body["views"].(float64)
	likes, _ := post.body["likes"].(float64)
	if post.status != 200 || views <= 0 || likes > views {
		t.Errorf("post stats = %d %v", post.status, post.body)
	}
	if again := mustCall(t, srv, "GET", "/v1/accounts/acct/stats", "tok", ""); again.body["followers"] != acct.body["followers"] {
		t.Errorf("followers changed from %v to %v with nothing published", acct.body["followers"], again.body["followers"])
	}
}

func TestPagesShowPosts(t *testing.T) {
	srv := start(t)
	mustCall(t, srv, "POST", "/v1/drafts", "tok", `{"account_id":"a","ref":"r","title":"<b>Hi</b>","text":"Hello there"}`)
	mustCall(t, srv, "POST", "/v1/drafts/d_1/publish", "tok", "")
	for _, path := range []string{"/p/p_1", "/"} {
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello there") || strings.Contains(string(b), "<b>Hi</b>") {
			t.Errorf("GET %s = %d, want the post, escaped:\n%s", path, resp.StatusCode, b)
		}
	}
	resp, err := http.Get(srv.URL() + "/p/p_9")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown post page = %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL() + "/media/sunset.jpg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("media = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if n := len(srv.Calls()); n != 2 {
		t.Errorf("%d calls logged, want the 2 API calls only", n)
	}
}

func TestNewAtListensOnAddr(t *testing.T) {
	srv, err := sandboxserver.NewAt("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q", srv.URL())
	}
	if a := mustCall(t, srv, "GET", "/v1/accounts/a/stats", "tok", ""); a.status != 200 {
		t.Errorf("stats = %d", a.status)
	}
	if _, err := sandboxserver.NewAt("127.0.0.1:-1"); err == nil {
		t.Error("NewAt on a bad address did not fail")
	}
}

func TestLostResponseIsServedButNotAnswered(t *testing.T) {
	s := sandboxserver.New()
	defer s.Close()
	s.FailNext(1, sandboxserver.Fault{LoseResponse: true})
	body := strings.NewReader(`{"account_id":"a","ref":"r","text":"hi"}`)
	req, _ := http.NewRequest("POST", s.URL()+"/v1/drafts", body)
	req.Header.Set("Authorization", "Bearer t")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a lost response arrived")
	}
	calls := s.Calls()
	if len(calls) != 1 || !calls[0].Lost || calls[0].Status != http.StatusCreated {
		t.Errorf("calls = %+v, want one served call marked lost", calls)
	}
}

func TestFaultRateIsRoughlyTheRate(t *testing.T) {
	s := sandboxserver.New()
	defer s.Close()
	s.SetFaultRate(0.2, 1, sandboxserver.Fault{Status: 503})
	failed := 0
	for range 200 {
		req, _ := http.NewRequest("GET", s.URL()+"/v1/accounts/a/stats", nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 503 {
			failed++
		}
	}
	if failed < 20 || failed > 60 {
		t.Errorf("%d of 200 calls failed at rate 0.2", failed)
	}
}
