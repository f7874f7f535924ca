package jobs_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

func containsField(err error, field string) bool {
	var fe *jobs.FieldError
	for _, e := range flatten(err) {
		if errors.As(e, &fe) && fe.Field == field {
			return true
		}
	}
	return false
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func validPost() jobs.Post {
	return jobs.Post{
		ID: "post-1", AccountID: "acct-1", Platform: "youtube",
		PublishAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		Content: publishers.Content{
			Title: "t", Text: "hello",
			Media: []publishers.Media{{URL: "https://cdn.example/v.mp4", Kind: "video"}},
		},
	}
}

func TestPostValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*jobs.Post)
		field  string // "" = valid
	}{
		{"valid", func(*jobs.Post) {}, ""},
		{"missing id", func(p *jobs.Post) { p.ID = "" }, "post_id"},
		{"id too long", func(p *jobs.Post) { p.ID = strings.Repeat("a", 129) }, "post_id"},
		{"id max length", func(p *jobs.Post) { p.ID = strings.Repeat("a", 128) }, ""},
		{"id with space", func(p *jobs.Post) { p.ID = "a b" }, "post_id"},
		{"id with brace", func(p *jobs.Post) { p.ID = "a}b" }, "post_id"},
		{"missing account", func(p *jobs.Post) { p.AccountID = "" }, "account_id"},
		{"bad platform", func(p *jobs.Post) { p.Platform = "My Space" }, "platform"},
		{"missing platform", func(p *jobs.Post) { p.Platform = "" }, "platform"},
		{"missing time", func(p *jobs.Post) { p.PublishAt = time.Time{} }, "publish_at"},
		{"not_after before publish_at", func(p *jobs.Post) { p.NotAfter = p.PublishAt.Add(-time.Minute) }, "not_after"},
		{"oversized text", func(p *jobs.Post) { p.Content.Text = strings.Repeat("é", jobs.MaxTextLen+1) }, "content.text"},
		{"max text", func(p *jobs.Post) { p.Content.Text = strings.Repeat("é", jobs.MaxTextLen) }, ""},
		{"invalid utf-8", func(p *jobs.Post) { p.Content.Text = "\xff" }, "content.text"},
		{"invalid utf-8 title", func(p *jobs.Post) { p.Content.Title = "\xe2\x82" }, "content.title"},
		{"invalid utf-8 option value", func(p *jobs.Post) { p.Content.Options = map[string]string{"privacy": "\xff"} }, "content.options.privacy"},
		{"invalid utf-8 option name", func(p *jobs.Post) { p.Content.Options = map[string]string{"a\xffb": "x"} }, "content.options.a\ufffdb"},
		{"oversized title", func(p *jobs.Post) { p.Content.Title = strings.Repeat("x", jobs.MaxTitleLen+1) }, "content.title"},
		{"empty content", func(p *jobs.Post) { p.Content = publishers.Content{} }, "content"},
		{"media kind", func(p *jobs.Post) { p.Content.Media[0].Kind = "gif" }, "content.media[0].kind"},
		{"media url scheme", func(p *jobs.Post) { p.Content.Media[0].URL = "ftp://x/y" }, "content.media[0].url"},
		{"media url relative", func(p *jobs.Post) { p.Content.Media[0].URL = "/v.mp4" }, "content.media[0].url"},
		{"media url credentials", func(p *jobs.Post) { p.Content.Media[0].URL = "https://u:pw@cdn/v.mp4" }, "content.media[0].url"},
		{"too many media", func(p *jobs.Post) {
			for range jobs.MaxMedia {
				p.Content.Media = append(p.Content.Media, p.Content.Media[0])
			}
		}, "content.media"},
		{"option too long", func(p *jobs.Post) { p.Content.Options = map[string]string{"k": strings.Repeat("v", 5000)} }, "content.options.k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPost()
			tt.change(&p)
			err := p.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !containsField(err, tt.field) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tt.field)
			}
			if !errors.Is(err, jobs.ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid")
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("message %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestPostJSONUsesSnakeCaseAndRFC3339(t *testing.T) {
	var p jobs.Post
	err := json.Unmarshal([]byte(`{"post_id":"a","account_id":"b","platform":"sandbox",
		"publish_at":"2026-12-01T09:00:00+01:00","content":{"text":"hi"}}`), &p)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC); !p.PublishAt.Equal(want) {
		t.Errorf("publish_at = %v, want %v", p.PublishAt, want)
	}
	if err := json.Unmarshal([]byte(`{"publish_at":"2026-12-01T09:00:00"}`), &p); err == nil {
		t.Error("a publish_at without a zone was accepted")
	}
}

// FuzzPostJSON feeds arbitrary JSON through the post decoder and
// validation: neither may panic, and a post that validates survives a
// round trip.
func FuzzPostJSON(f *testing.F) {
	b, _ := json.Marshal(validPost())
	f.Add(b)
	f.Add([]byte(`{"post_id":"x","content":{"media":[{"url":"http://a"}]}}`))
	f.Add([]byte(`{junk`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p jobs.Post
		if json.Unmarshal(data, &p) != nil {
			return
		}
		if p.Validate() != nil {
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("valid post does not marshal: %v", err)
		}
		var q jobs.Post
		if err := json.Unmarshal(out, &q); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("valid post invalid after round trip: %v", err)
		}
	})
}
