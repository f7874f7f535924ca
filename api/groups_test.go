package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// groupBody is postBody with a group_id.
func groupBody(id, group string, at time.Time) string {
	b := postBody(id, "acct-1", "youtube", at)
	return strings.Replace(b, `"post_id":`, `"group_id":"`+group+`","post_id":`, 1)
}

func TestGroupStatusAndCancel(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	expect(t, f.do("POST", "/v1/posts", groupBody("g1", "launch", at)), http.StatusCreated)
	expect(t, f.do("POST", "/v1/posts", groupBody("g2", "launch", at.Add(time.Minute))), http.StatusCreated)
	expect(t, f.do("POST", "/v1/posts", postBody("g3", "acct-1", "youtube", at)), http.StatusCreated)

	r := f.do("GET", "/v1/groups/launch", "")
	expect(t, r, http.StatusOK)
	var g jobs.Group
	r.json(t, &g)
	if g.GroupID != "launch" || len(g.Posts) != 2 || g.Posts[0].PostID != "g1" || g.Posts[1].GroupID != "launch" {
		t.Fatalf("group answered %s", r.body)
	}
	expect(t, f.do("GET", "/v1/groups/nothing", ""), http.StatusNotFound)
	r = f.do("GET", "/v1/groups/bad%20id", "")
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "group_id" {
		t.Errorf("bad group id: %s", r.body)
	}
	r = f.do("POST", "/v1/posts", groupBody("g4", "no way!", at))
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "group_id" {
		t.Errorf("bad group_id: %s", r.body)
	}

	r = f.do("DELETE", "/v1/groups/launch", "")
	expect(t, r, http.StatusOK)
	var out struct {
		GroupID string              `json:"group_id"`
		Results []groupCancelResult `json:"results"`
	}
	r.json(t, &out)
	if out.GroupID != "launch" || len(out.Results) != 2 || out.Results[0].Result != jobs.CancelCanceled || out.Results[1].Status.State != jobs.StateCanceled {
		t.Fatalf("cancel answered %s", r.body)
	}
	r = f.do("GET", "/v1/posts/g3", "")
	var st jobs.PostStatus
	r.json(t, &st)
	if st.State != jobs.StateScheduled {
		t.Errorf("a post outside the group was touched: %s", r.body)
	}
}

func TestFirstCommentRefusedForTikTok(t *testing.T) {
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.Client = jobs.NewClient(db.Client, jobs.WithPlatforms("youtube", "tiktok"),
			jobs.WithCapabilities(map[string]publishers.Capabilities{"youtube": {CommentLimit: 10000, Remove: true}, "tiktok": {}}))
	})
	at := time.Now().Add(time.Hour)
	body := strings.Replace(postBody("t1", "acct-1", "tiktok", at), `"content":{`, `"content":{"first_comment":"#fyp",`, 1)
	r := f.do("POST", "/v1/posts", body)
	expect(t, r, http.StatusBadRequest)
	e := r.error(t)
	if len(e.Fields) != 1 || e.Fields[0].Field != "content.first_comment" || !strings.Contains(e.Fields[0].Problem, "tiktok") {
		t.Errorf("first comment on tiktok: %s", r.body)
	}
}

func TestTakeDown(t *testing.T) {
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.Client = jobs.NewClient(db.Client, jobs.WithPlatforms("youtube", "instagram"),
			jobs.WithCapabilities(map[string]publishers.Capabilities{"youtube": {CommentLimit: 10000, Remove: true}, "instagram": {CommentLimit: 2200}}))
		o.Vault = tokens.New(db.Client, f0keys(t), jobs.VaultHooks(o.Client, tokens.Options{
			Platforms: map[string]tokens.Platform{"youtube": {}, "instagram": {}}}))
	})
	f.connect("acct-1", "youtube")
	f.connect("acct-ig", "instagram")
	at := time.Now().Add(time.Hour)
	expect(t, f.do("POST", "/v1/posts", postBody("yt", "acct-1", "youtube", at)), http.StatusCreated)
	expect(t, f.do("POST", "/v1/posts", postBody("ig", "acct-ig", "instagram", at)), http.StatusCreated)

	r := f.do("DELETE", "/v1/posts/yt?remote=true", "")
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeNotPublished {
		t.Errorf("take-down of a scheduled post: %s", r.body)
	}
	for _, id := range []string{"yt", "ig"} { // as the worker leaves them
		f.db.Client.HSet(context.Background(), "herald:{post:"+id+"}", "state", "published", "remote_id", "r-"+id)
	}
	r = f.do("DELETE", "/v1/posts/ig?remote=true", "")
	expect(t, r, http.StatusConflict)
	if e := r.error(t); e.Code != codeCannotRemove || !strings.Contains(e.Message, "instagram") {
		t.Errorf("take-down of an Instagram post: %s", r.body)
	}
	r = f.do("DELETE", "/v1/posts/yt?remote=true", "")
	expect(t, r, http.StatusAccepted)
	var st jobs.PostStatus
	r.json(t, &st)
	if st.State != jobs.StateRemoving {
		t.Errorf("take-down answered %s", r.body)
	}
	r = f.do("DELETE", "/v1/posts/yt?remote=maybe", "")
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "remote" {
		t.Errorf("bad remote: %s", r.body)
	}
	r = f.do("DELETE", "/v1/posts/ig", "")
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeAlreadyPublished {
		t.Errorf("cancel of a published post: %s", r.body)
	}
}

func f0keys(t *testing.T) *tokens.Keyring {
	k, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
