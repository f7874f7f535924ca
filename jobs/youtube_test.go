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
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// The whole path for YouTube: an expired token refreshed by the Vault at
// Google's (fake) token endpoint, the video streamed from its URL into a
// resumable upload whose session URI is sealed in the record, a dropped
// connection mid-upload resumed by the retry, one video in the end.
func TestYouTubeVideoThroughTheWorker(t *testing.T) {
	e := newEnv(t)
	yt := youtubetest.New()
	t.Cleanup(yt.Close)
	yt.AddAccount("acct-1")
	tok := yt.IssueToken("acct-1")

	video := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "v.mp4", time.Time{}, bytes.NewReader(video))
	}))
	t.Cleanup(src.Close)

	keys, _ := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	vault := tokens.New(e.rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"youtube": {
		OAuth: &oauth2.Config{ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: yt.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}},
	}}})
	err := vault.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "youtube",
		Token: &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	fetch, err := media.New(media.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	reg := publishers.NewRegistry()
	reg.Register("youtube", youtube.New(youtube.Options{
		Endpoint: yt.Endpoint(), UploadEndpoint: yt.UploadEndpoint(), Media: fetch,
		ChunkSize: 256 << 10, Redis: e.rdb,
		ChunkRetryDeadline: -1, // the dropped chunk must cost the attempt: this tests the job's retry
	}))
	yt.DropChunk(2, 1000) // the third chunk's connection dies after 1000 bytes

	e.startWorker(reg, func(c *jobs.WorkerConfig) { c.Tokens, c.Sealer = vault, keys })
	p := jobs.Post{ID: "yt-1", AccountID: "acct-1", Platform: "youtube", PublishAt: time.Now(),
		Content: publishers.Content{Title: "Launch", Text: "Our launch video",
			Media:   []publishers.Media{{URL: src.URL + "/v.mp4", Kind: publishers.MediaVideo}},
			Options: map[string]string{"privacy": "unlisted"}}}
	e.schedule(p)
	st := e.waitState("yt-1", jobs.StatePublished, 30*time.Second)

	if n := yt.VideosTitled("Launch"); n != 1 {
		t.Errorf("%d videos titled Launch, want exactly 1", n)
	}
	if st.Attempts < 2 {
		t.Errorf("attempts = %d: the dropped chunk should have cost one retry", st.Attempts)
	}
	if !strings.Contains(st.URL, st.RemoteID) {
		t.Errorf("url %q does not name video %q", st.URL, st.RemoteID)
	}
	if yt.TokenCalls() != 1 {
		t.Errorf("%d token refreshes, want 1", yt.TokenCalls())
	}
	rec := e.rdb.HGetAll(context.Background(), "herald:{post:yt-1}").Val()
	for k, v := range rec {
		if strings.Contains(v, "upload_id") || strings.Contains(v, "/upload/") {
			t.Errorf("record field %s holds the upload session in clear", k)
		}
	}
}
