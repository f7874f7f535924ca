package linkedin

import (
	"strings"
	"unicode"
)

// Reserved are the characters of LinkedIn's little text format, the
// format of a post's commentary. Each must be escaped with a backslash
// to be plain text, even where it could not start an element: LinkedIn
// otherwise cuts the post at the first one, or fails it.
const Reserved = `\|{}@[]()<>#*_~`

// EscapeText turns plain text into little text that LinkedIn shows as
// the same text. Every reserved character is escaped, except the '#' of
// a hashtag, which stays a hashtag: a '#' at the start of the text or
// after a character that is not a letter, digit, '_', '#', '&' or '/', and
// followed by a letter or digit ("#launch", but not "C#", "a#b" or
// "https://x.com/#top"). The tag runs over letters and digits; an '_'
// ends it. Mentions cannot be written: '@' is always escaped.
func EscapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	prev := rune(-1)
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '#' && hashtagStart(prev, rs[i+1:]):
			b.WriteRune(r)
		case strings.ContainsRune(Reserved, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// hashtagStart says whether a '#' after prev and before rest starts a
// hashtag.
func hashtagStart(prev rune, rest []rune) bool {
	if len(rest) == 0 || !tagRune(rest[0]) {
		return false
	}
	switch {
	case prev < 0:
		return true
	case tagRune(prev), prev == '_', prev == '#', prev == '&', prev == '/':
		return false
	}
	return true
}

// tagRune says whether r can be part of a hashtag's tag.
func tagRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
