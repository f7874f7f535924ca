package tiktok_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// The fake refuses chunks whose Content-Type is not MP4, MOV or WebM:
// the chunks say the source's own type, and a format TikTok does not
// take is refused before the init.
func TestChunksSayTheVideosType(t *testing.T) {
	for _, tt := range []struct {
		served, sent string
	}{
		{"video/webm", "video/webm"},
		{"video/quicktime", "video/quicktime"},
		{"application/octet-stream", "video/mp4"},
	} {
		e := start(t)
		m := e.src.video(12 * mb)
		m.URL += "?type=" + tt.served
		// The second chunk goes in a second attempt, which opens the
		// source again.
		ctx, crash := context.WithCancel(context.Background())
		cp := &memory{OnSave: func(name, value string) {
			if name == tiktok.CheckpointChunks && value == "1" {
				crash()
			}
		}}
		req := request(cp, tt.served, m)
		e.p.Publish(ctx, req)
		cp.OnSave = nil
		if _, err := e.p.Publish(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", tt.served, err)
		}
		if n := e.srv.Count(tiktoktest.EndpointUpload); n != 2 {
			t.Errorf("%s: %d chunks sent, want 2", tt.served, n)
		}
		for _, c := range e.srv.Calls() {
			if c.Endpoint == tiktoktest.EndpointUpload && c.ContentType != tt.sent {
				t.Errorf("served as %s, chunk sent as %q, want %s", tt.served, c.ContentType, tt.sent)
			}
		}
	}
	e := start(t)
	m := e.src.video(6 * mb)
	m.URL += "?type=video/x-matroska"
	_, err := e.p.Publish(context.Background(), request(&memory{}, "mkv", m))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "MP4, MOV or WebM") {
		t.Errorf("err = %v, want permanent naming the formats TikTok takes", err)
	}
	if n := e.srv.Count(tiktoktest.EndpointVideoInit); n != 0 {
		t.Errorf("%d inits for a video TikTok cannot take", n)
	}
}

func TestPhotosOtherThanJPEGOrWebPAreRefusedBeforeInit(t *testing.T) {
	e := start(t)
	e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
	req := request(&memory{}, "png", publishers.Media{URL: "https://cdn.example.com/a.jpg", Kind: publishers.MediaImage},
		publishers.Media{URL: "https://cdn.example.com/b.png?v=2", Kind: publishers.MediaImage})
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), `photo 2 is a .png file`) {
		t.Errorf("err = %v, want permanent naming photo 2", err)
	}
	if n := len(e.srv.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}
