package tiktok

import (
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// needs is the scope a post needs (Content Posting API): video.publish
// to post (Direct Post, which creator_info and the status fetch serve
// too), video.upload to send it to the creator's inbox (OptionInbox).
// An option that does not parse asks for video.publish: the publisher
// refuses the post anyway, naming the option.
func needs(_ string, c publishers.Content) []publishers.ScopeNeed {
	if b, err := boolOption(OptionInbox, strings.TrimSpace(c.Options[OptionInbox])); err == nil && b != nil && *b {
		return []publishers.ScopeNeed{{"video.upload"}}
	}
	return []publishers.ScopeNeed{{"video.publish"}}
}
