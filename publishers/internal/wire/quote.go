package wire

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// Redacted replaces a secret in error texts.
const Redacted = "[redacted]"

// Quote makes a platform's message (an answer body, a header, a field,
// as bytes or as a string) fit for an error string: valid UTF-8, one
// line, every secret (and its URL-escaped forms) replaced by Redacted, at
// most max runes. Platforms sometimes echo what they were sent; if a
// secret survives anyway, the whole message is dropped. It is the one
// quote of every platform package, so the argument order is the same
// everywhere: text, length, secrets.
func Quote[T ~string | ~[]byte](msg T, max int, secrets ...string) string {
	s := strings.ToValidUTF8(string(msg), "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}), " ")
	s = Redact(s, secrets...)
	if r := []rune(s); len(r) > max {
		// Cutting can split the marker but never rebuild a secret.
		s = strings.TrimSpace(string(r[:max])) + "…"
	}
	return s
}

// Redact replaces every secret in s, plain or URL-escaped, by Redacted;
// it returns "" if one still shows (a secret that overlaps the marker).
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			s = strings.ReplaceAll(s, form, Redacted)
		}
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			return ""
		}
	}
	return s
}

// FirstLine is the first line of body, an answer that is not the
// platform's JSON (a proxy's error page, say): the best explanation there
// is.
func FirstLine(body []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	return line
}

// ErrorMessage makes msg, a platform's error message, fit for an error
// text as Quote does; when nothing is left it names the HTTP status.
func ErrorMessage(status int, msg string, max int, secrets ...string) string {
	if m := Quote(msg, max, secrets...); m != "" {
		return m
	}
	return cmp.Or(http.StatusText(status), "no message")
}

// IntCode reads an error code sent as a JSON number or a numeric string
// (Count); anything else, a negative number or one over an int, is 0.
func IntCode(raw json.RawMessage) int {
	if n := Count(raw); n <= math.MaxInt {
		return int(n)
	}
	return 0
}
