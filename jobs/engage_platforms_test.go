package jobs_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// YouTube through the worker: the first comment's answer is lost and the
// comment is found by reading the video's comment threads; the take-down's
// answer is lost and the video found gone by videos.list. One comment,
// one deletion, and the quota spent on both.
func TestYouTubeFirstCommentAndTakeDown(t *testing.T) {
	e := newEnv(t)
	yt := youtubetest.New()
	t.Cleanup(yt.Close)
	ch := yt.AddAccount("acct-1").ChannelID
	tok := yt.IssueToken("acct-1", youtubetest.Scope, youtubetest.ScopeForceSSL)
	video := bytes.Repeat([]byte("0123456789abcdef"), 1<<14)
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "v.mp4", time.Time{}, bytes.NewReader(video))
	}))
	t.Cleanup(src.Close)
	keys, _ := tokens.ParseKeyring(testKeys)
	vault := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{Platforms: map[string]tokens.Platform{"youtube": {}}}))
	if err := vault.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "youtube", PlatformUserID: ch,
		Token: &oauth2.Token{AccessToken: tok.AccessToken, Expiry: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	fetch, _ := media.New(media.Options{AllowPrivate: true})
	pub := youtube.New(youtube.Options{Endpoint: yt.Endpoint(), UploadEndpoint: yt.UploadEndpoint(), Media: fetch, Redis: e.rdb, Project: "p1"})
	reg := publishers.NewRegistry()
	reg.Register("youtube", pub)
	yt.FailNext(youtubetest.OpCommentThreadsInsert, 1, youtubetest.Fault{Lost: true})
	yt.FailNext(youtubetest.OpVideosDelete, 1, youtubetest.Fault{Lost: true})
	e.startWorker(reg, func(c *jobs.WorkerConfig) {
		c.Tokens, c.Sealer = vault, keys
		c.Comment.LookAgain = 100 * time.Millisecond
	})
	e.schedule(jobs.Post{ID: "yt-c", AccountID: "acct-1", Platform: "youtube", PublishAt: time.Now(),
		Content: publishers.Content{Title: "Launch", FirstComment: "#launch",
			Media: []publishers.Media{{URL: src.URL + "/v.mp4", Kind: publishers.MediaVideo}}}})
	st := e.waitComment("yt-c", jobs.CommentPosted)
	if got := yt.Comments(st.RemoteID); len(got) != 1 || got[0].ID != st.CommentID || got[0].AuthorChannelID != ch {
		t.Fatalf("comments %+v, want the channel's one, %s", got, st.CommentID)
	}
	if _, err := e.client.UnpublishPost(context.Background(), "yt-c"); err != nil {
		t.Fatal(err)
	}
	e.waitState("yt-c", jobs.StateRemoved, 30*time.Second)
	if n := yt.Count(youtubetest.OpVideosDelete, 0); n != 1 || yt.Deleted() != 1 {
		t.Errorf("%d videos.delete calls, %d deletions; want 1 and 1", n, yt.Deleted())
	}
	u, _ := pub.QuotaUsage(context.Background())
	if u.Units < 100 {
		t.Errorf("units spent %d, want the comment's and the delete's 50 each at least", u.Units)
	}
}

// A LinkedIn member's first comment whose answer is lost cannot be looked
// up (reading comments needs r_member_social): Herald never sends it a
// second time, and gives up with a warning that it may be there.
func TestLinkedInMemberLostCommentIsNeverSentTwice(t *testing.T) {
	e := newEnv(t)
	li := linkedintest.New()
	t.Cleanup(li.Close)
	const member = "urn:li:person:abc123"
	keys, _ := tokens.ParseKeyring(testKeys)
	vault := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{Platforms: map[string]tokens.Platform{"linkedin": {Organization: linkedin.CheckOrganization}}}))
	if err := vault.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "linkedin", PlatformUserID: member,
		Token: &oauth2.Token{AccessToken: "li-token", Expiry: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	reg := publishers.NewRegistry()
	reg.Register("linkedin", linkedin.New(linkedin.Options{BaseURL: li.URL()}))
	li.FailNext(linkedintest.EndpointComment, 1, linkedintest.Fault{Lost: true})
	e.startWorker(reg, func(c *jobs.WorkerConfig) {
		c.Tokens, c.Sealer = vault, keys
		c.Comment.MaxRetry = 2
	})
	e.schedule(jobs.Post{ID: "li-c", AccountID: "acct-1", Platform: "linkedin", PublishAt: time.Now(),
		Content: publishers.Content{Text: "Launch day", FirstComment: "#launch"}})
	st := e.waitComment("li-c", jobs.CommentFailed)
	if st.State != jobs.StatePublished || !strings.Contains(st.Warning, "may or may not") {
		t.Errorf("status %+v, want published with a warning that the comment may be there", st)
	}
	if got := li.Comments(st.RemoteID); len(got) != 1 {
		t.Errorf("%d comments at LinkedIn, want the lost one only", len(got))
	}
}
