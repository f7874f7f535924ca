package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
)

type batchAnswer struct {
	Results []struct {
		PostID string           `json:"post_id"`
		Result string           `json:"result"`
		Status *jobs.PostStatus `json:"status"`
		Error  *apiError        `json:"error"`
	} `json:"results"`
}

func TestBatchSchedulingAnswersPerPost(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	expect(t, f.do("POST", "/v1/posts", postBody("old", "acct-1", "youtube", at)), http.StatusCreated)
	posts := []string{
		postBody("new", "acct-1", "youtube", at),
		postBody("old", "acct-1", "youtube", at),
		strings.Replace(postBody("old", "acct-1", "youtube", at), `"Hello"`, `"Other"`, 1),
		postBody("nobody", "acct-9", "youtube", at),
		strings.Replace(postBody("late", "acct-1", "youtube", at), at.UTC().Format(time.RFC3339Nano), "soon", 1),
	}
	r := f.do("POST", "/v1/posts/batch", `{"posts":[`+strings.Join(posts, ",")+`]}`)
	expect(t, r, http.StatusOK)
	var got batchAnswer
	r.json(t, &got)
	want := []struct{ result, field string }{{"created", ""}, {"unchanged", ""}, {"conflict", ""}, {"invalid", "account_id"}, {"invalid", "publish_at"}}
	if len(got.Results) != len(want) {
		t.Fatalf("%d results: %s", len(got.Results), r.body)
	}
	for i, w := range want {
		g := got.Results[i]
		if g.Result != w.result {
			t.Errorf("post %d: %s, want %s (%s)", i, g.Result, w.result, r.body)
		}
		if w.field != "" && (g.Error == nil || len(g.Error.Fields) == 0 || g.Error.Fields[0].Field != w.field) {
			t.Errorf("post %d: error %+v, want %s named", i, g.Error, w.field)
		}
		if (w.result == "created" || w.result == "unchanged") && (g.Status == nil || g.Status.State != jobs.StateScheduled) {
			t.Errorf("post %d: status %+v", i, g.Status)
		}
	}
	if got.Results[2].Error == nil || got.Results[2].Error.Code != codeConflict {
		t.Errorf("conflict's error: %+v", got.Results[2].Error)
	}
	for body, field := range map[string]string{`{}`: "posts", `{"posts":[]}`: "posts"} {
		r := f.do("POST", "/v1/posts/batch", body)
		expect(t, r, http.StatusBadRequest)
		if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: %s", body, r.body)
		}
	}
	many := make([]string, jobs.MaxBatch+1)
	for i := range many {
		many[i] = postBody(fmt.Sprintf("m%d", i), "acct-1", "youtube", at)
	}
	expect(t, f.do("POST", "/v1/posts/batch", `{"posts":[`+strings.Join(many, ",")+`]}`), http.StatusBadRequest)
}

// A full Redis is a 503 with Retry-After that says what is wrong, for one
// post, a batch, an edit and a cancel.
func TestSchedulingOnAFullRedisIs503(t *testing.T) {
	srv, err := redisserver.Start(t.Context(), redisserver.Options{Databases: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	full := redis.NewClient(srv.Options(0))
	t.Cleanup(func() { full.Close() })
	if err := full.ConfigSet(t.Context(), "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *Options, _ *redistest.DB) {
		o.Client = jobs.NewClient(full, jobs.WithPlatforms("youtube"))
	})
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour)
	// A post stored before Redis filled up, to edit and cancel.
	if err := full.ConfigSet(t.Context(), "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	expect(t, f.do("POST", "/v1/posts", postBody("p0", "acct-1", "youtube", at)), http.StatusCreated)
	if err := full.ConfigSet(t.Context(), "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/posts", postBody("p1", "acct-1", "youtube", at)},
		{"POST", "/v1/posts/batch", `{"posts":[` + postBody("p1", "acct-1", "youtube", at) + `]}`},
		{"PATCH", "/v1/posts/p0", `{"content":{"text":"edited"}}`},
		{"DELETE", "/v1/posts/p0", ""},
	} {
		path := c.method + " " + c.path
		r := f.do(c.method, c.path, c.body)
		expect(t, r, http.StatusServiceUnavailable)
		if r.header.Get("Retry-After") == "" || !strings.Contains(r.error(t).Message, "redis is full") {
			t.Errorf("%s on a full Redis: %v %s", path, r.header, r.body)
		}
	}
}

// As for one post, a batch repeating a stored post answers it unchanged
// after its account was disconnected; a new post of that account is
// refused naming account_id.
func TestBatchRepeatSkipsTheAccountCheck(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	stored := postBody("kept", "acct-1", "youtube", at)
	expect(t, f.do("POST", "/v1/posts", stored), http.StatusCreated)
	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)
	r := f.do("POST", "/v1/posts/batch", `{"posts":[`+stored+`,`+postBody("fresh", "acct-1", "youtube", at)+`]}`)
	expect(t, r, http.StatusOK)
	var got batchAnswer
	r.json(t, &got)
	if len(got.Results) != 2 || got.Results[0].Result != "unchanged" || got.Results[1].Result != "invalid" ||
		got.Results[1].Error == nil || got.Results[1].Error.Fields[0].Field != "account_id" {
		t.Errorf("batch after a disconnect: %s", r.body)
	}
}
