package instagramtest_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// The container parameters Instagram refuses, the fake refuses: each row
// one rule of rules.go.
func TestContainerParameterRules(t *testing.T) {
	img := url.Values{"image_url": {"https://x/a.jpg"}}
	reel := url.Values{"media_type": {"REELS"}, "video_url": {"https://x/v.mp4"}}
	story := url.Values{"media_type": {"STORIES"}, "image_url": {"https://x/a.jpg"}}
	with := func(base url.Values, kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		params url.Values
		ok     bool
	}{
		{"image tag with place", with(img, "user_tags", `[{"username":"ada","x":0.1,"y":0.9}]`), true},
		{"image tag without place", with(img, "user_tags", `[{"username":"ada"}]`), false},
		{"image tag off the image", with(img, "user_tags", `[{"username":"ada","x":-0.1,"y":0.5}]`), false},
		{"reel tag without place", with(reel, "user_tags", `[{"username":"ada"}]`), true},
		{"reel tag with place", with(reel, "user_tags", `[{"username":"ada","x":0.5,"y":0.5}]`), false},
		{"story tags", with(story, "user_tags", `[{"username":"ada"}]`), false},
		{"three collaborators", with(img, "collaborators", `["a","b","c"]`), true},
		{"four collaborators", with(img, "collaborators", `["a","b","c","d"]`), false},
		{"story collaborators", with(story, "collaborators", `["a"]`), false},
		{"image alt text", with(img, "alt_text", "A cat"), true},
		{"reel alt text", with(reel, "alt_text", "A cat"), false},
		{"reel audio name", with(reel, "audio_name", "Song"), true},
		{"image audio name", with(img, "audio_name", "Song"), false},
		{"image cover", with(img, "cover_url", "https://x/c.jpg"), false},
		{"reel share_to_feed maybe", with(reel, "share_to_feed", "maybe"), false},
		{"story location", with(story, "location_id", "123"), false},
		{"image location", with(img, "location_id", "123"), true},
		{"image location not a page", with(img, "location_id", "Paris"), false},
		{"story caption", with(story, "caption", "hello"), false},
		{"reel as carousel item", with(reel, "is_carousel_item", "true"), false},
		{"video carousel item", url.Values{"media_type": {"VIDEO"}, "video_url": {"https://x/v.mp4"}, "is_carousel_item": {"true"}}, true},
	}
	for _, tt := range tests {
		srv, _ := start(t)
		code, out := call(t, srv, "POST", "/v24.0/"+user+"/media", tt.params)
		if c, _ := errorCode(out); (code == 200) != tt.ok || (!tt.ok && c != 100) {
			t.Errorf("%s: %d %v, want ok %v (else (#100))", tt.name, code, out, tt.ok)
		}
	}
}

// At most 400 containers per account in 24 hours.
func TestContainersPerDay(t *testing.T) {
	srv, clk := start(t)
	params := url.Values{"image_url": {"https://x/a.jpg"}}
	for i := range instagramtest.ContainersPerDay {
		if code, out := call(t, srv, "POST", "/v24.0/"+user+"/media", params); code != 200 {
			t.Fatalf("container %d: %d %v", i+1, code, out)
		}
	}
	code, out := call(t, srv, "POST", "/v24.0/"+user+"/media", params)
	if c, _ := errorCode(out); code != 400 || c != 4 {
		t.Fatalf("container 401: %d %v, want (#4)", code, out)
	}
	clk.Advance(instagramtest.Window + time.Second)
	if code, _ := call(t, srv, "POST", "/v24.0/"+user+"/media", params); code != 200 {
		t.Errorf("a day later: %d", code)
	}
}
