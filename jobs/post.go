package jobs

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
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
	// GroupID, if set, ties the post to a group of posts (one campaign
	// on several platforms): same rules as post ids. A group needs no
	// registration: it exists while it has posts (group.go).
	GroupID string `json:"group_id,omitempty"`
}

// Limits on a post. They are loose upper bounds for every platform; each
// publisher checks its platform's own, stricter limits.
const (
	MaxIDLen       = input.MaxIDLen
	MaxTitleLen    = 1000  // runes
	MaxTextLen     = 10000 // runes
	MaxMedia       = 35
	MaxURLLen      = 2048
	MaxOptions     = 50
	MaxOptionKey   = 64
	MaxOptionValue = 4096
)

// FieldError says which field of an input is wrong and how. It is
// input.FieldError, the one type jobs, tokens and the API report bad
// input with, so one errors.As matches them all.
type FieldError = input.FieldError

// ErrInvalid is matched by every validation error, for errors.Is. It is
// input.ErrInvalid.
var ErrInvalid = input.ErrInvalid

// checkID applies the one id rule of input.CheckID, to an id an app
// gave.
func checkID(field, id string) *FieldError { return input.CheckID(field, id) }

// checkStored checks a stored id (tenant.Qualify's) that Herald reads
// back from a task or a key.
func checkStored(field, id string) *FieldError { return tenant.CheckStored(field, id) }

// platformPattern is the form of a platform name (publishers.Registry
// refuses any other).
var platformPattern = regexp.MustCompile(`^[a-z][a-z0-9]{1,31}$`)

// WithPlatforms names the platforms posts may give, as cmd/herald lists
// them (publishers.Names of its platforms). Without it a client accepts
// any well-formed platform name and leaves the worker, whose registry
// lacks the platform, to fail the post.
func WithPlatforms(names ...string) ClientOption {
	return func(o *clientOptions) { o.platforms = names }
}

// ValidatePost checks p as SchedulePost does: Post.Validate, and a
// platform among those of WithPlatforms.
func (c *Client) ValidatePost(p Post) error {
	if err := p.validate(c.opts.platforms); err != nil {
		return err
	}
	if fe := c.checkFirstComment(p); fe != nil {
		return fe
	}
	return nil
}

// knownPlatform says whether posts may name platform.
func (c *Client) knownPlatform(platform string) bool {
	return checkPlatform(platform, c.opts.platforms) == nil
}

// checkPlatform checks a post's platform: well formed, and one of known
// unless known is nil.
func checkPlatform(platform string, known []string) *FieldError {
	switch {
	case platform == "":
		return &FieldError{Field: "platform", Problem: "required"}
	case !platformPattern.MatchString(platform):
		return &FieldError{Field: "platform", Problem: fmt.Sprintf("%.40q: 2 to 32 of a-z and 0-9, starting with a letter", platform)}
	case known != nil && !slices.Contains(known, platform):
		return &FieldError{Field: "platform", Problem: fmt.Sprintf("unknown platform %q (want one of %v)", platform, known)}
	}
	return nil
}

// Validate checks p and returns every problem found, each a *FieldError
// naming the JSON field (post_id, content.text, ...). It checks the form
// of the platform name only: which platforms exist is the Client's to
// say (ValidatePost).
func (p Post) Validate() error { return p.validate(nil) }

// validate checks p, its platform against known (nil: any well-formed
// name).
func (p Post) validate(known []string) error {
	var errs []error
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	add(checkID("post_id", p.ID))
	add(checkID("account_id", p.AccountID))
	add(checkPlatform(p.Platform, known))
	if p.GroupID != "" {
		add(checkID("group_id", p.GroupID))
	}
	if p.PublishAt.IsZero() {
		add(&FieldError{Field: "publish_at", Problem: "required (RFC 3339 with a time zone)"})
	}
	if !p.NotAfter.IsZero() && !p.NotAfter.After(p.PublishAt) {
		add(&FieldError{Field: "not_after", Problem: "must be after publish_at"})
	}
	c := p.Content
	if n := utf8.RuneCountInString(c.Title); n > MaxTitleLen {
		add(&FieldError{Field: "content.title", Problem: fmt.Sprintf("%d characters, at most %d allowed", n, MaxTitleLen)})
	}
	if !utf8.ValidString(c.Title) {
		add(&FieldError{Field: "content.title", Problem: "not valid UTF-8"})
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxTextLen {
		add(&FieldError{Field: "content.text", Problem: fmt.Sprintf("%d characters, at most %d allowed", n, MaxTextLen)})
	}
	if !utf8.ValidString(c.Text) {
		add(&FieldError{Field: "content.text", Problem: "not valid UTF-8"})
	}
	add(checkFirstComment(c.FirstComment))
	if c.Title == "" && c.Text == "" && len(c.Media) == 0 {
		add(&FieldError{Field: "content", Problem: "empty: give a title, text or media"})
	}
	if len(c.Media) > MaxMedia {
		add(&FieldError{Field: "content.media", Problem: fmt.Sprintf("%d items, at most %d allowed", len(c.Media), MaxMedia)})
	}
	for i, m := range c.Media {
		field := fmt.Sprintf("content.media[%d]", i)
		add(checkMediaURL(field+".url", m.URL))
		if m.Kind != publishers.MediaImage && m.Kind != publishers.MediaVideo {
			add(&FieldError{Field: field + ".kind", Problem: fmt.Sprintf("%q: must be image or video", m.Kind)})
		}
	}
	if len(c.Options) > MaxOptions {
		add(&FieldError{Field: "content.options", Problem: fmt.Sprintf("%d options, at most %d allowed", len(c.Options), MaxOptions)})
	}
	for k, v := range c.Options {
		if k == "" || len(k) > MaxOptionKey {
			add(&FieldError{Field: "content.options", Problem: fmt.Sprintf("key %.64q: must be 1 to %d bytes", k, MaxOptionKey)})
		}
		if len(v) > MaxOptionValue {
			add(&FieldError{Field: "content.options." + k, Problem: fmt.Sprintf("longer than %d bytes", MaxOptionValue)})
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			add(&FieldError{Field: "content.options." + strings.ToValidUTF8(k, "\uFFFD"), Problem: "not valid UTF-8"})
		}
	}
	return errors.Join(errs...)
}

func checkMediaURL(field, raw string) *FieldError {
	if raw == "" {
		return &FieldError{Field: field, Problem: "required"}
	}
	if len(raw) > MaxURLLen {
		return &FieldError{Field: field, Problem: fmt.Sprintf("longer than %d characters", MaxURLLen)}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &FieldError{Field: field, Problem: "must be an absolute http or https URL"}
	}
	if u.User != nil {
		// Credentials in a media URL would end up in payloads and logs.
		return &FieldError{Field: field, Problem: "must not contain credentials"}
	}
	return nil
}
