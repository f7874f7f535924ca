package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
)

func TestSchedulingIsIdempotentOnPostID(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	body := postBody("p1", "acct-1", "youtube", at)

	r := f.do("POST", "/v1/posts", body)
	expect(t, r, http.StatusCreated)
	if r.header.Get("Location") != "/v1/posts/p1" {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	var st jobs.PostStatus
	r.json(t, &st)
	if st.PostID != "p1" || st.AccountID != "acct-1" || st.State != jobs.StateScheduled || !st.PublishAt.Equal(at) {
		t.Errorf("schedule answered %+v", st)
	}

	r = f.do("POST", "/v1/posts", body)
	expect(t, r, http.StatusOK)
	r.json(t, &st)
	if st.State != jobs.StateScheduled {
		t.Errorf("repeat answered %+v", st)
	}

	r = f.do("POST", "/v1/posts", strings.Replace(body, `"Hello"`, `"Goodbye"`, 1))
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeConflict {
		t.Errorf("conflict: %s", r.body)
	}

	r = f.do("GET", "/v1/posts/p1", "")
	expect(t, r, http.StatusOK)
	expect(t, f.do("GET", "/v1/posts/p2", ""), http.StatusNotFound)
}

func TestRescheduleAndCancel(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	expect(t, f.do("POST", "/v1/posts", postBody("p1", "acct-1", "youtube", time.Now().Add(time.Hour))), http.StatusCreated)

	later := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	r := f.do("PATCH", "/v1/posts/p1", `{"publish_at":"`+later.Format(time.RFC3339)+`"}`)
	expect(t, r, http.StatusOK)
	var st jobs.PostStatus
	r.json(t, &st)
	if !st.PublishAt.Equal(later) || st.State != jobs.StateScheduled {
		t.Errorf("reschedule answered %+v", st)
	}

	r = f.do("PATCH", "/v1/posts/p1", `{"publish_at":"`+later.Format(time.RFC3339)+`","content":{"text":"new"}}`)
	expect(t, r, http.StatusOK)
	r = f.do("GET", "/v1/posts/p1", "")
	expect(t, r, http.StatusOK)
	r = f.do("PATCH", "/v1/posts/p1", `{"content":{}}`)
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "content" {
		t.Errorf("emptying the content: %s", r.body)
	}
	r = f.do("PATCH", "/v1/posts/p1", `{}`)
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "publish_at" {
		t.Errorf("empty patch: %s", r.body)
	}
	expect(t, f.do("PATCH", "/v1/posts/nope", `{"publish_at":"`+later.Format(time.RFC3339)+`"}`), http.StatusNotFound)

	r = f.do("DELETE", "/v1/posts/p1", "")
	expect(t, r, http.StatusOK)
	r.json(t, &st)
	if st.State != jobs.StateCanceled {
		t.Errorf("cancel answered %+v", st)
	}
	expect(t, f.do("DELETE", "/v1/posts/p1", ""), http.StatusOK)

	r = f.do("PATCH", "/v1/posts/p1", `{"publish_at":"`+later.Format(time.RFC3339)+`"}`)
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeFinal {
		t.Errorf("reschedule of a canceled post: %s", r.body)
	}
	expect(t, f.do("DELETE", "/v1/posts/nope", ""), http.StatusNotFound)
}

func TestPostMustNameAConnectedAccountOfItsPlatform(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour)
	for _, tt := range []struct{ account, platform, field string }{
		{"acct-2", "youtube", "account_id"},
		{"acct-1", "sandbox", "platform"},
	} {
		r := f.do("POST", "/v1/posts", postBody("p1", tt.account, tt.platform, at))
		expect(t, r, http.StatusBadRequest)
		if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
			t.Errorf("post for %s on %s: %s", tt.account, tt.platform, r.body)
		}
	}
}
