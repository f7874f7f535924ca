package jobs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
)

// WithCapabilities tells the client what each platform can do after
// publishing (publishers.CapabilitiesByName of cmd/herald's platforms):
// a first comment is checked against its platform's limit when the post
// is scheduled (a platform that takes none, TikTok, is refused naming
// content.first_comment), and a take-down of a post whose platform
// cannot delete posts is refused with ErrCannotRemove. Without it any
// platform may be asked, and the worker fails what its publisher cannot
// do (the post stays published, with a warning).
func WithCapabilities(caps map[string]publishers.Capabilities) ClientOption {
	return func(o *clientOptions) { o.capabilities = caps }
}

// capabilitiesOf is what the client knows platform can do, and whether
// it knows at all.
func (c *Client) capabilitiesOf(platform string) (publishers.Capabilities, bool) {
	if c.opts.capabilities == nil {
		return publishers.Capabilities{}, false
	}
	return c.opts.capabilities[platform], true
}

// checkFirstComment checks content.first_comment against the post's
// platform.
func (c *Client) checkFirstComment(p Post) *FieldError {
	text := p.Content.FirstComment
	caps, known := c.capabilitiesOf(p.Platform)
	if text == "" || !known {
		return nil
	}
	if caps.CommentLimit == 0 {
		return &FieldError{Field: "content.first_comment", Problem: fmt.Sprintf("%s takes no first comment: its API cannot comment on posts", p.Platform)}
	}
	if n := utf8.RuneCountInString(text); n > caps.CommentLimit {
		return &FieldError{Field: "content.first_comment", Problem: fmt.Sprintf("%d characters, %s takes at most %d", n, p.Platform, caps.CommentLimit)}
	}
	return nil
}

// checkFirstComment checks the form of a first comment, whatever the
// platform.
func checkFirstComment(text string) *FieldError {
	switch {
	case text == "":
		return nil
	case !utf8.ValidString(text):
		return &FieldError{Field: "content.first_comment", Problem: "not valid UTF-8"}
	case strings.TrimSpace(text) == "":
		return &FieldError{Field: "content.first_comment", Problem: "only white space: leave it out for no first comment"}
	}
	if n := utf8.RuneCountInString(text); n > MaxCommentLen {
		return &FieldError{Field: "content.first_comment", Problem: fmt.Sprintf("%d characters, at most %d allowed", n, MaxCommentLen)}
	}
	return nil
}
