package youtube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
)

// Each of these posts the fake refuses too (with YouTube's invalid*
// reason) but only once videos.insert was called, which costs a unit of
// the day's 100: the publisher must refuse them first.
func TestPostsYouTubeWouldRefuseSpendNoQuota(t *testing.T) {
	spaced := strings.TrimSuffix(strings.Repeat("a b,", 100), ",") // 399 joined, 599 as YouTube counts
	tests := []struct {
		name   string
		change func(*publishers.Content)
		field  string
	}{
		{"title too long", func(c *publishers.Content) { c.Title = strings.Repeat("é", 101) }, "title is 101 characters"},
		{"title with <", func(c *publishers.Content) { c.Title = "a <b> title" }, "title contains <"},
		{"description too long", func(c *publishers.Content) { c.Text = strings.Repeat("é", 2501) }, "description (the post's text) is 5002 bytes"},
		{"description with >", func(c *publishers.Content) { c.Text = "1 > 0" }, "description (the post's text) contains"},
		{"tags too long", func(c *publishers.Content) { c.Options = map[string]string{"tags": strings.Repeat("x", 501)} }, "option tags: 501 characters"},
		{"tags with spaces count their quotes", func(c *publishers.Content) { c.Options = map[string]string{"tags": spaced} }, "option tags: 599 characters"},
		{"tag with <", func(c *publishers.Content) { c.Options = map[string]string{"tags": "a,<b>"} }, "option tags: tag"},
		{"category not assignable", func(c *publishers.Content) { c.Options = map[string]string{"category_id": "18"} }, `option category_id "18"`},
		{"category not a number", func(c *publishers.Content) { c.Options = map[string]string{"category_id": "music"} }, `option category_id "music"`},
		{"bad language", func(c *publishers.Content) { c.Options = map[string]string{"default_language": "english!"} }, "option default_language"},
		{"bad audio language", func(c *publishers.Content) { c.Options = map[string]string{"default_audio_language": "e"} }, "option default_audio_language"},
		{"bad synthetic media", func(c *publishers.Content) { c.Options = map[string]string{"contains_synthetic_media": "ai"} }, "option contains_synthetic_media"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
			tt.change(&req.Content)
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want permanent naming %q", err, tt.field)
			}
			if n := e.srv.UploadsToday(); n != 0 {
				t.Errorf("%d videos.insert calls spent on a post YouTube refuses", n)
			}
		})
	}
}

func TestLimitsAreYouTubes(t *testing.T) {
	e := setup(t)
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.Content.Title = strings.Repeat("é", 100)
	req.Content.Text = strings.Repeat("x", 5000)
	req.Content.Options = map[string]string{"tags": strings.Repeat("x", 500), "category_id": "29"}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("a post at every limit: %v", err)
	}
	if got := youtube.TagsLength([]string{"a b", "c"}); got != 7 {
		t.Errorf("TagsLength = %d, want 7 (quotes, comma)", got)
	}
}

func TestSyntheticMediaAndLanguagesReachTheVideo(t *testing.T) {
	e := setup(t)
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.Content.Options = map[string]string{"contains_synthetic_media": "true", "default_language": "pt-BR", "default_audio_language": "en"}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	v := e.onlyVideo(t)
	if !v.ContainsSyntheticMedia || v.DefaultLanguage != "pt-BR" || v.DefaultAudioLanguage != "en" {
		t.Errorf("video %+v, want the disclosure and both languages", v)
	}
}

func TestUnauditedProjectPublishesWithAWarning(t *testing.T) {
	for _, privacy := range []string{"", "unlisted", "private"} {
		e := setup(t)
		e.srv.SetUnaudited(true)
		cp := &publisherstest.Checkpoints{}
		req := e.request("post-1", chunk, cp)
		req.Content.Options = map[string]string{"privacy": privacy}
		res, err := e.p.Publish(context.Background(), req)
		if err != nil {
			t.Fatalf("privacy %q: %v", privacy, err)
		}
		want := youtube.UnauditedWarning
		if privacy == "private" {
			want = ""
		}
		if res.Warning != want || res.RemoteID != e.onlyVideo(t).ID {
			t.Errorf("privacy %q: result %+v, want the video with warning %q", privacy, res, want)
		}
		// A retry after the video was saved still knows.
		again, err := e.p.Publish(context.Background(), req)
		if err != nil || again.Warning != want {
			t.Errorf("privacy %q: retry gives %+v, %v", privacy, again, err)
		}
	}
	e := setup(t)
	res, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{}))
	if err != nil || res.Warning != "" {
		t.Errorf("audited project: %+v, %v; want no warning", res, err)
	}
}

func TestTheFakesBucketsDeferUploads(t *testing.T) {
	e := setup(t)
	e.srv.SetUploadQuota(1)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Publish(context.Background(), e.request("post-2", chunk, &publisherstest.Checkpoints{}))
	if wait, ok := publishers.RetryAfter(err); !ok || wait != untilPacificMidnight || !strings.Contains(err.Error(), "quotaExceeded") {
		t.Errorf("bucket spent: err = %v, want rate limited until the reset", err)
	}

	e = setup(t)
	e.srv.SetChannelUploadLimit(1)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Fatal(err)
	}
	_, err = e.p.Publish(context.Background(), e.request("post-2", chunk, &publisherstest.Checkpoints{}))
	if wait, ok := publishers.RetryAfter(err); !ok || wait != 24*time.Hour || !strings.Contains(err.Error(), "uploadLimitExceeded") {
		t.Errorf("channel cap: err = %v, want rate limited for a day", err)
	}
	if n := len(e.srv.Videos()); n != 1 {
		t.Errorf("%d videos, want 1", n)
	}
}
