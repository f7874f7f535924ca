package jobs

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// The fingerprint tells every change of a post's content or schedule,
// and nothing finer than the second asynq schedules by.
func TestFingerprint(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	base := Post{ID: "p1", AccountID: "a1", Platform: "youtube", GroupID: "g1", PublishAt: at, NotAfter: at.Add(time.Hour),
		Content: publishers.Content{Title: "T", Text: "text", FirstComment: "first", Options: map[string]string{"privacy": "public", "tags": "x"}}}
	for _, tc := range []struct {
		name string
		edit func(*Post)
		same bool
	}{
		{"itself", func(*Post) {}, true},
		{"publish_at within the second", func(p *Post) { p.PublishAt = at.Add(300 * time.Millisecond) }, true},
		{"another time zone", func(p *Post) { p.PublishAt = at.In(time.FixedZone("X", 3600)) }, true},
		{"options in another order", func(p *Post) { p.Content.Options = map[string]string{"tags": "x", "privacy": "public"} }, true},
		{"id", func(p *Post) { p.ID = "p2" }, false},
		{"account", func(p *Post) { p.AccountID = "a2" }, false},
		{"platform", func(p *Post) { p.Platform = "tiktok" }, false},
		{"publish_at", func(p *Post) { p.PublishAt = at.Add(time.Second) }, false},
		{"not_after", func(p *Post) { p.NotAfter = at.Add(2 * time.Hour) }, false},
		{"no not_after", func(p *Post) { p.NotAfter = time.Time{} }, false},
		{"text", func(p *Post) { p.Content.Text = "other" }, false},
		{"media", func(p *Post) {
			p.Content.Media = []publishers.Media{{URL: "https://m.example/a.jpg", Kind: publishers.MediaImage}}
		}, false},
		{"option", func(p *Post) { p.Content.Options = map[string]string{"privacy": "private", "tags": "x"} }, false},
		{"group", func(p *Post) { p.GroupID = "g2" }, false},
		{"no group", func(p *Post) { p.GroupID = "" }, false},
		{"first comment", func(p *Post) { p.Content.FirstComment = "other" }, false},
		{"no first comment", func(p *Post) { p.Content.FirstComment = "" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.edit(&p)
			fp := p.fingerprint()
			if len(fp) != 16 {
				t.Fatalf("fingerprint of %d bytes", len(fp))
			}
			if got := fp == base.fingerprint(); got != tc.same {
				t.Errorf("same fingerprint = %v, want %v", got, tc.same)
			}
			if got := base.matches(fp); got != tc.same {
				t.Errorf("matches = %v, want %v", got, tc.same)
			}
			if got := base.matches(p.legacyFingerprint()); got != tc.same {
				t.Errorf("matches the legacy form = %v, want %v", got, tc.same)
			}
		})
	}
}
