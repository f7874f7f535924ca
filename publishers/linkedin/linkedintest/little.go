package linkedintest

import (
	"fmt"
	"strings"
	"unicode"
)

// reserved are little text's reserved characters.
const reserved = `\|{}@[]()<>#*_~`

// ParseLittle reads commentary in LinkedIn's little text format and
// returns the text it shows, strictly: a reserved character that is not
// escaped and does not start an element is an error (LinkedIn would cut
// the post there). Elements: "\x" (x reserved) is x; "#tag" (a letter or
// digit after '#', the tag running over letters and digits) is a
// hashtag; "@[name](urn)" a mention, shown as name; "{hashtag|#|tag}"
// (or with "\#") a hashtag template, shown as "#tag".
func ParseLittle(s string) (string, error) {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !strings.ContainsRune(reserved, r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\\':
			if i+1 >= len(rs) || !strings.ContainsRune(reserved, rs[i+1]) {
				return "", fmt.Errorf("character %d: backslash escapes no reserved character", i+1)
			}
			b.WriteRune(rs[i+1])
			i++
		case '#':
			j := i + 1
			for j < len(rs) && tagRune(rs[j]) {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("character %d: unescaped '#' starts no hashtag", i+1)
			}
			b.WriteString(string(rs[i:j]))
			i = j - 1
		case '@':
			name, n, ok := mention(rs[i:])
			if !ok {
				return "", fmt.Errorf("character %d: unescaped '@' starts no mention", i+1)
			}
			b.WriteString(name)
			i += n - 1
		case '{':
			tag, n, ok := template(rs[i:])
			if !ok {
				return "", fmt.Errorf("character %d: unescaped '{' starts no template", i+1)
			}
			b.WriteString("#" + tag)
			i += n - 1
		default:
			return "", fmt.Errorf("character %d: reserved %q is not escaped", i+1, r)
		}
	}
	return b.String(), nil
}

func tagRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mention reads "@[name](urn:li:person:...|organization:...)" at the
// start of rs: the name and how many runes it took.
func mention(rs []rune) (string, int, bool) {
	s := string(rs)
	if !strings.HasPrefix(s, "@[") {
		return "", 0, false
	}
	name, rest, ok := strings.Cut(s[2:], "](")
	if !ok || name == "" || strings.ContainsAny(name, "[]") {
		return "", 0, false
	}
	urn, _, ok := strings.Cut(rest, ")")
	if !ok || !(strings.HasPrefix(urn, "urn:li:person:") || strings.HasPrefix(urn, "urn:li:organization:")) {
		return "", 0, false
	}
	return name, len([]rune("@[" + name + "](" + urn + ")")), true
}

// template reads "{hashtag|#|tag}" (the sign may be "\#" or U+FF03) at
// the start of rs: the tag and how many runes it took.
func template(rs []rune) (string, int, bool) {
	s := string(rs)
	end := strings.IndexRune(s, '}')
	if end < 0 {
		return "", 0, false
	}
	parts := strings.Split(s[1:end], "|")
	if len(parts) != 3 || parts[0] != "hashtag" || (parts[1] != "#" && parts[1] != `\#` && parts[1] != "＃") || parts[2] == "" {
		return "", 0, false
	}
	for _, r := range parts[2] {
		if !tagRune(r) {
			return "", 0, false
		}
	}
	return parts[2], len([]rune(s[:end+1])), true
}
