package instagram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// What schedulers post beside the media reaches the container as the
// Graph API takes it, and the fake (which refuses what Instagram refuses)
// accepts it.
func TestPostExtrasReachTheContainers(t *testing.T) {
	tests := []struct {
		name  string
		media []publishers.Media
		opts  map[string]string
		want  map[string]string // parameters of the published container
		items []map[string]string
	}{
		{"image", []publishers.Media{image("a")}, map[string]string{
			instagram.OptionUserTags: `[{"username":"ada.l","x":0.25,"y":0.75}]`, instagram.OptionAltText: "A cat on a mat",
			instagram.OptionCollaborators: "@grace_h, linus", instagram.OptionLocationID: "110843418940484",
		}, map[string]string{
			"user_tags": `[{"username":"ada.l","x":0.25,"y":0.75}]`, "alt_text": "A cat on a mat",
			"collaborators": `["grace_h","linus"]`, "location_id": "110843418940484",
		}, nil},
		{"reel", []publishers.Media{video("v")}, map[string]string{
			instagram.OptionUserTags: `[{"username":"ada.l","x":0.5,"y":0.5}]`, instagram.OptionAudioName: "Original audio",
			instagram.OptionCoverURL: "https://cdn.example.com/cover.jpg", instagram.OptionCollaborators: "grace_h",
		}, map[string]string{
			"user_tags": `[{"username":"ada.l"}]`, "audio_name": "Original audio",
			"cover_url": "https://cdn.example.com/cover.jpg", "collaborators": `["grace_h"]`, "media_type": "REELS",
		}, nil},
		{"carousel", []publishers.Media{image("a"), video("v"), image("b")}, map[string]string{
			instagram.OptionAltTextPrefix + "1": "First", instagram.OptionAltTextPrefix + "3": "Third", instagram.OptionCollaborators: "linus",
		}, map[string]string{"collaborators": `["linus"]`, "media_type": "CAROUSEL"},
			[]map[string]string{{"alt_text": "First"}, {"alt_text": ""}, {"alt_text": "Third"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			req := request(&memory{}, "extras "+tt.name, tt.media...)
			req.Content.Options = tt.opts
			if _, err := e.p.Publish(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			var parent instagramtest.Container
			var items []instagramtest.Container
			for _, c := range e.srv.Containers() {
				if c.CarouselItem {
					items = append(items, c)
				} else {
					parent = c
				}
			}
			for k, v := range tt.want {
				if got := parent.Params.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for i, want := range tt.items {
				url := tt.media[i].URL
				for _, it := range items {
					if it.ImageURL == url || it.VideoURL == url {
						if got := it.Params.Get("alt_text"); got != want["alt_text"] {
							t.Errorf("item %d alt_text %q, want %q", i+1, got, want["alt_text"])
						}
					}
				}
			}
		})
	}
}

func TestPostExtrasInstagramWouldRefuse(t *testing.T) {
	tests := []struct {
		name  string
		media []publishers.Media
		opts  map[string]string
		says  string
	}{
		{"tag without place on an image", []publishers.Media{image("a")}, map[string]string{instagram.OptionUserTags: `[{"username":"ada"}]`}, "x and y"},
		{"tag off the image", []publishers.Media{image("a")}, map[string]string{instagram.OptionUserTags: `[{"username":"ada","x":1.5,"y":0}]`}, "0.0 to 1.0"},
		{"tag not JSON", []publishers.Media{image("a")}, map[string]string{instagram.OptionUserTags: "ada"}, "JSON"},
		{"tag bad username", []publishers.Media{image("a")}, map[string]string{instagram.OptionUserTags: `[{"username":"a d a","x":0,"y":0}]`}, "username"},
		{"tags on a carousel", []publishers.Media{image("a"), image("b")}, map[string]string{instagram.OptionUserTags: `[{"username":"ada","x":0,"y":0}]`}, "user_tags"},
		{"four collaborators", []publishers.Media{image("a")}, map[string]string{instagram.OptionCollaborators: "a,b,c,d"}, "1 to 3"},
		{"collaborators on a story", []publishers.Media{image("a")}, map[string]string{instagram.OptionMediaType: "STORIES", instagram.OptionCollaborators: "a"}, "stories"},
		{"alt text on a reel", []publishers.Media{video("v")}, map[string]string{instagram.OptionAltText: "x"}, "alt_text"},
		{"alt text of a carousel video", []publishers.Media{image("a"), video("v")}, map[string]string{instagram.OptionAltTextPrefix + "2": "x"}, "alt_text_2"},
		{"alt text past the items", []publishers.Media{image("a"), image("b")}, map[string]string{instagram.OptionAltTextPrefix + "3": "x"}, "alt_text_3"},
		{"alt text too long", []publishers.Media{image("a")}, map[string]string{instagram.OptionAltText: strings.Repeat("x", 1001)}, "1000"},
		{"audio on an image", []publishers.Media{image("a")}, map[string]string{instagram.OptionAudioName: "song"}, "reels"},
		{"alt_text_11", []publishers.Media{image("a"), image("b")}, map[string]string{"alt_text_11": "x"}, "unknown option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			req := request(&memory{}, "", tt.media...)
			req.Content.Options = tt.opts
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want permanent saying %q", err, tt.says)
			}
			if n := len(e.srv.Calls()); n != 0 {
				t.Errorf("%d calls before refusing", n)
			}
		})
	}
}

// Image Specifications: JPEG, at most 8 MiB, aspect ratio 4:5 to 1.91:1.
// The fake refuses the others with Meta's codes, and the post fails for
// good with Meta's words.
func TestImagesInstagramRefuses(t *testing.T) {
	tests := []struct {
		name    string
		img     instagramtest.Image
		subcode string
	}{
		{"png", instagramtest.Image{Format: "png", Bytes: 1000, Width: 1080, Height: 1080}, "2207005"},
		{"9 MiB", instagramtest.Image{Format: "jpeg", Bytes: 9 << 20, Width: 1080, Height: 1080}, "2207004"},
		{"too tall", instagramtest.Image{Format: "jpeg", Bytes: 1000, Width: 1080, Height: 1920}, "2207009"},
		{"too wide", instagramtest.Image{Format: "jpeg", Bytes: 1000, Width: 2000, Height: 1000}, "2207009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetImage(image("a").URL, tt.img)
			_, err := e.p.Publish(context.Background(), request(&memory{}, "refused", image("a")))
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.subcode) {
				t.Fatalf("err = %v, want permanent with %s", err, tt.subcode)
			}
		})
	}
	for _, ok := range []instagramtest.Image{
		{Format: "jpeg", Bytes: 8 << 20, Width: 1080, Height: 1350}, // 4:5, 8 MiB exactly
		{Format: "jpeg", Bytes: 1000, Width: 1910, Height: 1000},    // 1.91:1
	} {
		e := start(t)
		e.srv.SetImage(image("a").URL, ok)
		if _, err := e.p.Publish(context.Background(), request(&memory{}, "fine", image("a"))); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}
