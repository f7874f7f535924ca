package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
)

// Post is a post to publish, as a product app hands it to Herald.
type Post struct {
	// ID is the caller's id of the post: 1 to 128 characters of
	// [A-Za-z0-9._:-]. Scheduling the same id twice is idempotent.
	ID        string `json:"post_id"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform"`
	// PublishAt is when the post goes out.
	PublishAt time.Time `json:"publish_at"`
	// NotAfter, if set, is the latest acceptable publish time; past it the
	// post fails as too late instead of going out. Unset, the worker's
	// HERALD_PUBLISH_MAX_LATENESS after PublishAt applies.
	NotAfter time.Time          `json:"not_after,omitzero"`
	Content  publishers.Content `json:"content"`
}

// Limits on a post. They are loose upper bounds for every platform; each
// publisher checks its platform's own, stricter limits.
const (
	MaxIDLen       = 128
	MaxTitleLen    = 1000  // runes
	MaxTextLen     = 10000 // runes
	MaxMedia       = 35
	MaxURLLen      = 2048
	MaxOptions     = 50
	MaxOptionKey   = 64
	MaxOptionValue = 4096
)

// Platforms Herald knows. A worker publishes only to those registered in
// its publishers.Registry.
var Platforms = []string{"youtube", "instagram", "tiktok", "linkedin", "sandbox"}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)

// FieldError says which field of an input is wrong and how.
type FieldError struct {
	Field   string // e.g. "content.media[2].url"
	Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// ErrInvalid is wrapped by every validation error, for errors.Is.
var ErrInvalid = errors.New("invalid")

// Is makes errors.Is(err, ErrInvalid) true for a FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func checkID(field, id string) *FieldError {
	switch {
	case id == "":
		return &FieldError{field, "required"}
	case len(id) > MaxIDLen:
		return &FieldError{field, fmt.Sprintf("longer than %d characters", MaxIDLen)}
	case !idPattern.MatchString(id):
		return &FieldError{field, "may contain only letters, digits and . _ : -"}
	}
	return nil
}

// Validate checks p and returns every problem found, each a *FieldError
// naming the JSON field (post_id, content.text, ...).
func (p Post) Validate() error {
	var errs []error
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	add(checkID("post_id", p.ID))
	add(checkID("account_id", p.AccountID))
	if p.Platform == "" {
		add(&FieldError{"platform", "required"})
	} else if !knownPlatform(p.Platform) {
		add(&FieldError{"platform", fmt.Sprintf("unknown platform %q (want one of %v)", p.Platform, Platforms)})
	}
	if p.PublishAt.IsZero() {
		add(&FieldError{"publish_at", "required (RFC 3339 with a time zone)"})
	}
	if !p.NotAfter.IsZero() && !p.NotAfter.After(p.PublishAt) {
		add(&FieldError{"not_after", "must be after publish_at"})
	}
	c := p.Content
	if n := utf8.RuneCountInString(c.Title); n > MaxTitleLen {
		add(&FieldError{"content.title", fmt.Sprintf("%d characters, at most %d allowed", n, MaxTitleLen)})
	}
	if !utf8.ValidString(c.Title) {
		add(&FieldError{"content.title", "not valid UTF-8"})
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxTextLen {
		add(&FieldError{"content.text", fmt.Sprintf("%d characters, at most %d allowed", n, MaxTextLen)})
	}
	if !utf8.ValidString(c.Text) {
		add(&FieldError{"content.text", "not valid UTF-8"})
	}
	if c.Title == "" && c.Text == "" && len(c.Media) == 0 {
		add(&FieldError{"content", "empty: give a title, text or media"})
	}
	if len(c.Media) > MaxMedia {
		add(&FieldError{"content.media", fmt.Sprintf("%d items, at most %d allowed", len(c.Media), MaxMedia)})
	}
	for i, m := range c.Media {
		field := fmt.Sprintf("content.media[%d]", i)
		add(checkMediaURL(field+".url", m.URL))
		if m.Kind != publishers.MediaImage && m.Kind != publishers.MediaVideo {
			add(&FieldError{field + ".kind", fmt.Sprintf("%q: must be image or video", m.Kind)})
		}
	}
	if len(c.Options) > MaxOptions {
		add(&FieldError{"content.options", fmt.Sprintf("%d options, at most %d allowed", len(c.Options), MaxOptions)})
	}
	for k, v := range c.Options {
		if k == "" || len(k) > MaxOptionKey {
			add(&FieldError{"content.options", fmt.Sprintf("key %.64q: must be 1 to %d bytes", k, MaxOptionKey)})
		}
		if len(v) > MaxOptionValue {
			add(&FieldError{"content.options." + k, fmt.Sprintf("longer than %d bytes", MaxOptionValue)})
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			add(&FieldError{"content.options." + strings.ToValidUTF8(k, "\uFFFD"), "not valid UTF-8"})
		}
	}
	return errors.Join(errs...)
}

func checkMediaURL(field, raw string) *FieldError {
	if raw == "" {
		return &FieldError{field, "required"}
	}
	if len(raw) > MaxURLLen {
		return &FieldError{field, fmt.Sprintf("longer than %d characters", MaxURLLen)}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &FieldError{field, "must be an absolute http or https URL"}
	}
	if u.User != nil {
		// Credentials in a media URL would end up in payloads and logs.
		return &FieldError{field, "must not contain credentials"}
	}
	return nil
}

func knownPlatform(p string) bool {
	for _, k := range Platforms {
		if k == p {
			return true
		}
	}
	return false
}

// fingerprint identifies a post's content and schedule, to tell a repeated
// SchedulePost from a conflicting one.
func (p Post) fingerprint() string {
	p.PublishAt = p.PublishAt.UTC().Truncate(time.Second)
	if !p.NotAfter.IsZero() {
		p.NotAfter = p.NotAfter.UTC().Truncate(time.Second)
	}
	b, _ := json.Marshal(p) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// payloadVersion is the version of the task payload format.
const payloadVersion = 1

// publishPayload is a publish task's payload. It carries the post so that
// asynqmon shows what a task is about; the handler publishes the record's
// copy, which reschedules and edits keep current. No token or other secret
// is ever part of a payload.
type publishPayload struct {
	V    int  `json:"v"`
	Post Post `json:"post"`
}

// publishPayloadPostID reads only what the handler needs of a publish
// payload, the post id: the record holds the post itself.
func publishPayloadPostID(b []byte) (string, error) {
	var p struct {
		V    int `json:"v"`
		Post struct {
			ID string `json:"post_id"`
		} `json:"post"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("payload: not a publish payload: %w", err)
	}
	if p.V != payloadVersion {
		return "", &FieldError{"v", fmt.Sprintf("payload version %d, want %d", p.V, payloadVersion)}
	}
	if err := checkID("post.post_id", p.Post.ID); err != nil {
		return "", err
	}
	return p.Post.ID, nil
}

// decodePublishPayload parses a publish task's payload.
func decodePublishPayload(b []byte) (Post, error) {
	var p publishPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return Post{}, fmt.Errorf("payload: not a publish payload: %w", err)
	}
	if p.V != payloadVersion {
		return Post{}, &FieldError{"v", fmt.Sprintf("payload version %d, want %d", p.V, payloadVersion)}
	}
	if err := checkID("post.post_id", p.Post.ID); err != nil {
		return Post{}, err
	}
	return p.Post, nil
}
