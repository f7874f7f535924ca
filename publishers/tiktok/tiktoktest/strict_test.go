package tiktoktest_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func TestPerUserRateLimits(t *testing.T) {
	for _, tt := range []struct {
		path  string
		limit int
		body  any
	}{
		{"/v2/post/publish/creator_info/query/", 20, map[string]any{}},
		{"/v2/post/publish/status/fetch/", 30, map[string]string{"publish_id": "none"}},
		{"/v2/post/publish/video/init/", 6, map[string]any{"post_info": map[string]any{"privacy_level": "SELF_ONLY"}}},
		{"/v2/post/publish/inbox/video/init/", 6, map[string]any{}},
	} {
		srv := tiktoktest.New()
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		srv.SetClock(func() time.Time { return now })
		for i := 0; i < tt.limit; i++ {
			if _, env := post(t, srv, tt.path, tt.body); code(env) == tiktoktest.CodeRateLimitExceeded {
				t.Fatalf("%s: call %d refused, the limit is %d", tt.path, i+1, tt.limit)
			}
		}
		if status, env := post(t, srv, tt.path, tt.body); status != http.StatusTooManyRequests || code(env) != tiktoktest.CodeRateLimitExceeded {
			t.Errorf("%s: call %d: %d %s, want 429 rate_limit_exceeded", tt.path, tt.limit+1, status, code(env))
		}
		now = now.Add(time.Minute)
		if _, env := post(t, srv, tt.path, tt.body); code(env) == tiktoktest.CodeRateLimitExceeded {
			t.Errorf("%s: still refused a minute later", tt.path)
		}
		srv.Close()
	}
}

func TestChunksNeedAVideoContentType(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	_, env := post(t, srv, "/v2/post/publish/video/init/", map[string]any{
		"post_info":   map[string]any{"title": "t", "privacy_level": "SELF_ONLY"},
		"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": 10, "chunk_size": 10, "total_chunk_count": 1},
	})
	u := env["data"].(map[string]any)["upload_url"].(string)
	for _, ct := range []string{"", "application/octet-stream", "video/x-matroska"} {
		req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(make([]byte, 10)))
		req.Header.Set("Content-Range", "bytes 0-9/10")
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d, want 415", ct, resp.StatusCode)
		}
	}
	if s := put(t, u, 0, 9, 10); s != http.StatusCreated {
		t.Errorf("video/mp4: %d", s)
	}
}

func TestPhotosMustBeJPEGOrWebP(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	srv.SetVerifiedPrefixes("https://cdn.example.com/")
	for _, tt := range []struct {
		photo, status string
	}{
		{"https://cdn.example.com/a.png", tiktoktest.StatusFailed},
		{"https://cdn.example.com/a.JPG", tiktoktest.StatusPublishComplete},
		{"https://cdn.example.com/a.webp", tiktoktest.StatusPublishComplete},
	} {
		_, env := post(t, srv, "/v2/post/publish/content/init/", map[string]any{
			"post_info":   map[string]any{"title": "t", "privacy_level": "PUBLIC_TO_EVERYONE"},
			"source_info": map[string]any{"source": "PULL_FROM_URL", "photo_images": []string{tt.photo}},
			"post_mode":   "DIRECT_POST", "media_type": "PHOTO",
		})
		id := env["data"].(map[string]any)["publish_id"].(string)
		_, st := post(t, srv, "/v2/post/publish/status/fetch/", map[string]string{"publish_id": id})
		d := st["data"].(map[string]any)
		if d["status"] != tt.status || tt.status == tiktoktest.StatusFailed && d["fail_reason"] != "file_format_check_failed" {
			t.Errorf("%s: %v, want %s", tt.photo, d, tt.status)
		}
	}
}
