package instagram

import (
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
)

var (
	img = publishers.Media{URL: "https://cdn.example.com/a.jpg", Kind: publishers.MediaImage}
	vid = publishers.Media{URL: "https://cdn.example.com/a.mp4", Kind: publishers.MediaVideo}
)

func TestPlanChoosesTheContainers(t *testing.T) {
	tests := []struct {
		name     string
		content  publishers.Content
		kind     string
		parent   url.Values
		children int
	}{
		{"one image", publishers.Content{Text: "hi", Media: []publishers.Media{img}}, kindImage,
			url.Values{"image_url": {img.URL}, "caption": {"hi"}}, 0},
		{"one video is a reel", publishers.Content{Text: "hi", Media: []publishers.Media{vid}}, kindReel,
			url.Values{"media_type": {"REELS"}, "video_url": {vid.URL}, "caption": {"hi"}}, 0},
		{"reel with options", publishers.Content{Media: []publishers.Media{vid}, Options: map[string]string{
			"media_type": "reels", "share_to_feed": "false", "cover_url": "https://cdn.example.com/c.jpg", "thumb_offset": "1500", "location_id": "123",
		}}, kindReel, url.Values{"media_type": {"REELS"}, "video_url": {vid.URL}, "share_to_feed": {"false"},
			"cover_url": {"https://cdn.example.com/c.jpg"}, "thumb_offset": {"1500"}, "location_id": {"123"}}, 0},
		{"story", publishers.Content{Media: []publishers.Media{vid}, Options: map[string]string{"media_type": "STORIES"}}, kindStory,
			url.Values{"media_type": {"STORIES"}, "video_url": {vid.URL}}, 0},
		{"carousel", publishers.Content{Text: "three", Media: []publishers.Media{img, vid, img}}, kindCarousel,
			url.Values{"media_type": {"CAROUSEL"}, "caption": {"three"}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := buildPlan(tt.content)
			if err != nil {
				t.Fatal(err)
			}
			if p.kind != tt.kind || p.parent.Encode() != tt.parent.Encode() || len(p.children) != tt.children {
				t.Errorf("plan = %s %v %d children, want %s %v %d", p.kind, p.parent, len(p.children), tt.kind, tt.parent, tt.children)
			}
		})
	}
	p, _ := buildPlan(publishers.Content{Media: []publishers.Media{img, vid}})
	if got := p.children[1].Encode(); got != "is_carousel_item=true&media_type=VIDEO&video_url="+url.QueryEscape(vid.URL) {
		t.Errorf("video item = %s", got)
	}
}

func TestPlanRefusesWhatInstagramWould(t *testing.T) {
	many := func(n int, m publishers.Media) []publishers.Media {
		out := make([]publishers.Media, n)
		for i := range out {
			out[i] = m
		}
		return out
	}
	tags := strings.Repeat("#tag ", 31)
	mentions := strings.Repeat("@someone ", 21)
	tests := []struct {
		name    string
		content publishers.Content
		why     string
	}{
		{"no media", publishers.Content{Text: "words only"}, "at least one image or video"},
		{"caption too long", publishers.Content{Text: strings.Repeat("é", MaxCaptionLength+1), Media: []publishers.Media{img}}, "2201 characters"},
		{"too many hashtags", publishers.Content{Text: tags, Media: []publishers.Media{img}}, "31 hashtags"},
		{"too many mentions", publishers.Content{Text: mentions, Media: []publishers.Media{img}}, "mentions 21"},
		{"eleven items", publishers.Content{Media: many(11, img)}, "at most 10"},
		{"gif", publishers.Content{Media: []publishers.Media{{URL: img.URL, Kind: "gif"}}}, `kind "gif"`},
		{"relative url", publishers.Content{Media: []publishers.Media{{URL: "/a.jpg", Kind: "image"}}}, "not a public http(s) URL"},
		{"file url", publishers.Content{Media: []publishers.Media{{URL: "file:///etc/passwd", Kind: "image"}}}, "not a public http(s) URL"},
		{"reel of an image", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"media_type": "REELS"}}, "exactly one video"},
		{"two-item story", publishers.Content{Media: many(2, img), Options: map[string]string{"media_type": "STORIES"}}, "not 2"},
		{"story with caption", publishers.Content{Text: "hi", Media: []publishers.Media{img}, Options: map[string]string{"media_type": "STORIES"}}, "no caption"},
		{"unknown media type", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"media_type": "IGTV"}}, `"IGTV"`},
		{"unknown option", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"privacy": "public"}}, `unknown option "privacy"`},
		{"share_to_feed on an image", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"share_to_feed": "true"}}, "reels only"},
		{"bad share_to_feed", publishers.Content{Media: []publishers.Media{vid}, Options: map[string]string{"share_to_feed": "maybe"}}, "true or false"},
		{"bad thumb_offset", publishers.Content{Media: []publishers.Media{vid}, Options: map[string]string{"thumb_offset": "-1"}}, "milliseconds"},
		{"bad cover_url", publishers.Content{Media: []publishers.Media{vid}, Options: map[string]string{"cover_url": "cover.jpg"}}, "cover_url"},
		{"story location", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"media_type": "STORIES", "location_id": "1"}}, "stories"},
		{"bad location", publishers.Content{Media: []publishers.Media{img}, Options: map[string]string{"location_id": "Paris"}}, "numeric page id"},
		{"invalid UTF-8", publishers.Content{Text: "\xff", Media: []publishers.Media{img}}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planOf(tt.content)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("err = %v, want permanent saying %q", err, tt.why)
			}
		})
	}
}

func TestCaptionAtTheLimitsIsAccepted(t *testing.T) {
	text := strings.Repeat("#t ", MaxHashtags) + strings.Repeat("@u ", MaxMentions) + "mail me at a@b.com, issue&#35;1"
	text += strings.Repeat("x", MaxCaptionLength-len([]rune(text)))
	if _, err := buildPlan(publishers.Content{Text: text, Media: []publishers.Media{img}}); err != nil {
		t.Error(err)
	}
}

func FuzzPlan(f *testing.F) {
	f.Add("hello #a @b", "FEED", "https://x/a.jpg", "image", 1)
	f.Add("", "STORIES", "http://x/a.mp4", "video", 1)
	f.Add("#x#y", "REELS", "::", "video", 3)
	f.Fuzz(func(t *testing.T, text, mediaType, u, kind string, n int) {
		n = min(max(n, 0), 12)
		media := make([]publishers.Media, n)
		for i := range media {
			media[i] = publishers.Media{URL: u, Kind: kind}
		}
		p, err := planOf(publishers.Content{Text: text, Media: media, Options: map[string]string{"media_type": mediaType}})
		if err != nil {
			if publishers.ClassOf(err) != publishers.ClassPermanent {
				t.Fatalf("class of %v", err)
			}
			return
		}
		if p.kind == kindCarousel && (len(p.children) < 2 || len(p.children) > MaxCarouselItems) {
			t.Fatalf("carousel of %d", len(p.children))
		}
		if p.parent.Get("image_url")+p.parent.Get("video_url") == "" && p.kind != kindCarousel {
			t.Fatalf("no media in %v", p.parent)
		}
	})
}
