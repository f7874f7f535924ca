package youtubetest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func start(t *testing.T) (*youtubetest.Server, youtubetest.Token) {
	t.Helper()
	srv := youtubetest.New()
	t.Cleanup(srv.Close)
	return srv, srv.IssueToken("acct-1")
}

// service is the official client pointed at the fake.
func service(t *testing.T, srv *youtubetest.Server, access string) *youtube.Service {
	t.Helper()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access}))
	svc, err := youtube.NewService(context.Background(), option.WithEndpoint(srv.Endpoint()), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func data(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 13)
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestOfficialClientUploads(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		chunk int
	}{
		{"multipart, smaller than a chunk", 1000, googleapi.MinUploadChunkSize},
		{"resumable, chunks of 256 KiB", 3*googleapi.MinUploadChunkSize + 17, googleapi.MinUploadChunkSize},
		{"resumable, ends on a chunk boundary", 2 * googleapi.MinUploadChunkSize, googleapi.MinUploadChunkSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, tok := start(t)
			b := data(tt.size)
			v, err := service(t, srv, tok.AccessToken).Videos.Insert([]string{"snippet", "status"}, &youtube.Video{
				Snippet: &youtube.VideoSnippet{Title: "Hello", Tags: []string{"a"}},
				Status:  &youtube.VideoStatus{PrivacyStatus: "private"},
			}).NotifySubscribers(false).Media(bytes.NewReader(b), googleapi.ChunkSize(tt.chunk), googleapi.ContentType("video/mp4")).Do()
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Videos()
			if len(got) != 1 || got[0].ID != v.Id || got[0].Size != int64(tt.size) || got[0].SHA256 != sum(b) {
				t.Fatalf("fake holds %+v; client got %s", got, v.Id)
			}
			if got[0].Title != "Hello" || got[0].Privacy != "private" || got[0].NotifySubscribers || v.Status.UploadStatus != "uploaded" {
				t.Errorf("video %+v, answer %+v", got[0], v.Status)
			}
		})
	}
}

func TestOfficialClientCalls(t *testing.T) {
	srv, tok := start(t)
	svc := service(t, srv, tok.AccessToken)
	v, err := svc.Videos.Insert([]string{"snippet"}, &youtube.Video{Snippet: &youtube.VideoSnippet{Title: "T"}}).
		Media(bytes.NewReader(data(10)), googleapi.ContentType("video/mp4")).Do()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetVideoStats(v.Id, youtubetest.VideoStats{Views: 10, Likes: 2, Comments: 1})
	srv.SetChannelStats("acct-1", 77, 1000)

	list, err := svc.Videos.List([]string{"statistics"}).Id(v.Id, "unknown0000").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Statistics.ViewCount != 10 || list.Items[0].Statistics.LikeCount != 2 {
		t.Errorf("videos.list = %+v", list.Items)
	}
	ch, err := svc.Channels.List([]string{"statistics"}).Mine(true).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Items) != 1 || ch.Items[0].Statistics.SubscriberCount != 77 || ch.Items[0].Statistics.VideoCount != 1 {
		t.Errorf("channels.list = %+v", ch.Items[0].Statistics)
	}
	if _, err := svc.Thumbnails.Set(v.Id).Media(bytes.NewReader(data(100)), googleapi.ContentType("image/png"), googleapi.ChunkSize(0)).Do(); err != nil {
		t.Fatal(err)
	}
	pl := srv.AddPlaylist("acct-1")
	item, err := svc.PlaylistItems.Insert([]string{"snippet"}, &youtube.PlaylistItem{Snippet: &youtube.PlaylistItemSnippet{
		PlaylistId: pl, ResourceId: &youtube.ResourceId{Kind: "youtube#video", VideoId: v.Id},
	}}).Do()
	if err != nil || item.Id == "" {
		t.Fatalf("playlistItems.insert = %v, %v", item, err)
	}
	got := srv.Videos()[0]
	if got.Thumbnail != sum(data(100)) || len(got.Playlists) != 1 {
		t.Errorf("video %+v lacks its thumbnail or playlist", got)
	}
}

func TestErrorsAreGoogles(t *testing.T) {
	srv, tok := start(t)
	svc := service(t, srv, tok.AccessToken)
	tests := []struct {
		name   string
		setup  func()
		code   int
		reason string
	}{
		{"quota", func() {
			srv.FailNext(youtubetest.OpChannelsList, 1, youtubetest.Fault{Reason: "quotaExceeded"})
		}, 403, "quotaExceeded"},
		{"5xx", func() { srv.FailNext("", 1, youtubetest.Fault{}) }, 503, "backendError"},
		{"revoked", func() { srv.RevokeRefreshToken(tok.RefreshToken) }, 401, "authError"},
	}
	for _, tt := range tests {
		tt.setup()
		_, err := svc.Channels.List([]string{"statistics"}).Mine(true).Do()
		var g *googleapi.Error
		if !errors.As(err, &g) || g.Code != tt.code || len(g.Errors) != 1 || g.Errors[0].Reason != tt.reason {
			t.Errorf("%s: err = %v, want %d %s", tt.name, err, tt.code, tt.reason)
		}
	}
}

func TestUploadMetadataIsValidated(t *testing.T) {
	srv, tok := start(t)
	svc := service(t, srv, tok.AccessToken)
	tests := []struct {
		video  *youtube.Video
		reason string
	}{
		{&youtube.Video{Snippet: &youtube.VideoSnippet{}}, "invalidTitle"},
		{&youtube.Video{Snippet: &youtube.VideoSnippet{Title: strings.Repeat("x", 101)}}, "invalidTitle"},
		{&youtube.Video{Snippet: &youtube.VideoSnippet{Title: "a<b>"}}, "invalidTitle"},
		{&youtube.Video{Snippet: &youtube.VideoSnippet{Title: "t", CategoryId: "999"}}, "invalidCategoryId"},
		{&youtube.Video{Snippet: &youtube.VideoSnippet{Title: "t"}, Status: &youtube.VideoStatus{PrivacyStatus: "public", PublishAt: "2031-01-01T00:00:00Z"}}, "invalidPublishAt"},
	}
	for _, tt := range tests {
		_, err := svc.Videos.Insert([]string{"snippet", "status"}, tt.video).Media(bytes.NewReader(data(10)), googleapi.ContentType("video/mp4")).Do()
		var g *googleapi.Error
		if !errors.As(err, &g) || g.Code != 400 || g.Errors[0].Reason != tt.reason {
			t.Errorf("%+v: err = %v, want 400 %s", tt.video.Snippet, err, tt.reason)
		}
	}
	if n := len(srv.Videos()); n != 0 {
		t.Errorf("%d videos made of invalid metadata", n)
	}
}

// session starts an upload by hand and returns its URI.
func session(t *testing.T, srv *youtubetest.Server, access string, size int) string {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.UploadEndpoint()+"youtube/v3/videos?uploadType=resumable&part=snippet,status", strings.NewReader(`{"snippet":{"title":"T"}}`))
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Upload-Content-Type", "video/mp4")
	req.Header.Set("X-Upload-Content-Length", strconv.Itoa(size))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 200 || !strings.HasPrefix(loc, srv.UploadEndpoint()) {
		t.Fatalf("start = %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func put(t *testing.T, uri, contentRange string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("PUT", uri, bytes.NewReader(body))
	req.Header.Set("Content-Range", contentRange)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", contentRange, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestSessionProtocol(t *testing.T) {
	const block = youtubetest.Block
	srv, tok := start(t)
	b := data(2*block + 100)
	uri := session(t, srv, tok.AccessToken, len(b))

	if resp := put(t, uri, "bytes */"+strconv.Itoa(len(b)), nil); resp.StatusCode != 308 || resp.Header.Get("Range") != "" {
		t.Errorf("fresh status = %d Range %q, want 308 without Range", resp.StatusCode, resp.Header.Get("Range"))
	}
	if resp := put(t, uri, "bytes 0-"+strconv.Itoa(block-1)+"/"+strconv.Itoa(len(b)), b[:block]); resp.StatusCode != 308 || resp.Header.Get("Range") != "bytes=0-"+strconv.Itoa(block-1) {
		t.Errorf("chunk 1 = %d Range %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	// A chunk cut short keeps whole blocks only.
	srv.DropChunk(1, block+10)
	req, _ := http.NewRequest("PUT", uri, bytes.NewReader(b[block:]))
	req.Header.Set("Content-Range", "bytes "+strconv.Itoa(block)+"-"+strconv.Itoa(len(b)-1)+"/"+strconv.Itoa(len(b)))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped chunk answered %d", resp.StatusCode)
	}
	if resp := put(t, uri, "bytes */"+strconv.Itoa(len(b)), nil); resp.Header.Get("Range") != "bytes=0-"+strconv.Itoa(2*block-1) {
		t.Errorf("after the drop, Range %q, want two blocks", resp.Header.Get("Range"))
	}
	// Resending from before the committed offset is fine; the overlap is
	// skipped.
	if resp := put(t, uri, "bytes "+strconv.Itoa(block)+"-"+strconv.Itoa(len(b)-1)+"/"+strconv.Itoa(len(b)), b[block:]); resp.StatusCode != 200 {
		t.Fatalf("last chunk = %d", resp.StatusCode)
	}
	if resp := put(t, uri, "bytes */"+strconv.Itoa(len(b)), nil); resp.StatusCode != 200 {
		t.Errorf("status of a finished upload = %d, want 200 with the video", resp.StatusCode)
	}
	v := srv.Videos()
	if len(v) != 1 || v[0].SHA256 != sum(b) {
		t.Fatalf("videos %+v", v)
	}
	up := srv.Uploads()
	if len(up) != 1 || up[0].Committed != int64(len(b)) || up[0].Received <= int64(len(b)) || up[0].Video != v[0].ID {
		t.Errorf("upload %+v", up)
	}

	srv.ExpireSessions() // a finished session keeps answering
	if resp := put(t, uri, "bytes */"+strconv.Itoa(len(b)), nil); resp.StatusCode != 200 {
		t.Errorf("finished session after expiry = %d", resp.StatusCode)
	}
	other := session(t, srv, tok.AccessToken, 10)
	srv.ExpireSessions()
	if resp := put(t, other, "bytes */10", nil); resp.StatusCode != 404 {
		t.Errorf("expired session = %d, want 404", resp.StatusCode)
	}
}

func TestTokenEndpoint(t *testing.T) {
	srv, tok := start(t)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		conf := &oauth2.Config{ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL(), AuthStyle: style}}
		got, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("style %d: %v", style, err)
		}
		if got.AccessToken == "" || got.AccessToken == tok.AccessToken || got.TokenType != "Bearer" || got.Extra("scope") != youtubetest.Scope {
			t.Errorf("style %d: token %+v", style, got)
		}
		// The new token works.
		if _, err := service(t, srv, got.AccessToken).Channels.List([]string{"id"}).Mine(true).Do(); err != nil {
			t.Errorf("new token refused: %v", err)
		}
	}
	bad := &oauth2.Config{ClientID: youtubetest.ClientID, ClientSecret: "wrong",
		Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
	_, err := bad.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" {
		t.Errorf("bad client: %v", err)
	}
	srv.RevokeRefreshToken(tok.RefreshToken)
	conf := &oauth2.Config{ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
	_, err = conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != 400 {
		t.Errorf("revoked: %v", err)
	}
	if n := srv.TokenCalls(); n != 4 {
		t.Errorf("%d token calls counted, want 4", n)
	}
	// Code exchange makes a new grant.
	code := srv.IssueCode("acct-2")
	got, err := conf.Exchange(context.Background(), code)
	if err != nil || got.RefreshToken == "" {
		t.Errorf("exchange: %+v, %v", got, err)
	}
	if _, err := conf.Exchange(context.Background(), code); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("code used twice: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	srv, tok := start(t)
	resp, err := http.PostForm(srv.RevokeURL(), url.Values{"token": {tok.AccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("revoke = %d", resp.StatusCode)
	}
	// Revoking the access token revoked the grant.
	if _, err := service(t, srv, tok.AccessToken).Channels.List([]string{"id"}).Mine(true).Do(); err == nil {
		t.Error("revoked access token still works")
	}
	resp, err = http.Post(srv.RevokeURL()+"?token="+url.QueryEscape(tok.RefreshToken), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("revoking a revoked token = %d, want 400", resp.StatusCode)
	}
}
