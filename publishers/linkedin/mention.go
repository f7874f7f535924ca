package linkedin

import (
	"regexp"
	"strings"
)

// mentionPattern is a mention in a post's text, as LinkedIn's little text
// writes it (Posts API, "Mentions"; Little Text Format): @[Name](urn) for
// a member (urn:li:person:...) or an organization
// (urn:li:organization:...). The name is shown and should be the
// entity's name as LinkedIn has it; it may hold no reserved character.
var mentionPattern = regexp.MustCompile(`@\[([^\\|{}@\[\]()<>#*_~\n]{1,100})\]\((urn:li:(?:person:[A-Za-z0-9_-]{1,64}|organization:[0-9]{1,20}))\)`)

// Commentary turns a post's text into little text: mentions written
// @[Name](urn:li:person:...) or @[Name](urn:li:organization:...) stay
// mentions, and everything else is escaped with EscapeText, so it shows as
// written. A text with no mention is EscapeText's.
func Commentary(text string) string {
	locs := mentionPattern.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return EscapeText(text)
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		b.WriteString(EscapeText(text[last:l[0]]))
		b.WriteString(text[l[0]:l[1]])
		last = l[1]
	}
	b.WriteString(EscapeText(text[last:]))
	return b.String()
}

// Mentions returns the URNs text mentions, in order.
func Mentions(text string) []string {
	var urns []string
	for _, m := range mentionPattern.FindAllStringSubmatch(text, -1) {
		urns = append(urns, m[2])
	}
	return urns
}
