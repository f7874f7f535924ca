// Package logging builds Herald's loggers: log/slog, JSON in production
// and text in the demo, with a last guard against secrets. Values of
// tokens.Secret redact themselves; the guard also rewrites any string or
// error that looks like a bearer token, an OAuth access or refresh token
// or a JWT, in case one slipped into an error message from a library.
package logging

import (
	"io"
	"log/slog"
	"regexp"
)

// New returns a logger writing format ("json" or "text") to w at level.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: guard}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// secretShapes pairs what a secret looks like with its replacement; the
// replacement keeps the label (Bearer, access_token=) so a log still says
// what was there.
var secretShapes = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`), "$1 [redacted]"},
	{regexp.MustCompile(`(?i)\b((?:access|refresh)_token|upload_id|client_secret|token)=[^&\s"]+`), "$1=[redacted]"},
	{regexp.MustCompile(`\bya29\.[A-Za-z0-9._-]{10,}`), "[redacted]"},                               // Google access tokens
	{regexp.MustCompile(`\b1//[A-Za-z0-9._-]{10,}`), "[redacted]"},                                  // Google refresh tokens
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`), "[redacted]"}, // JWTs
	{regexp.MustCompile(`\b(?:EAA|IGQ|act\.)[A-Za-z0-9._-]{20,}`), "[redacted]"},                    // Meta and TikTok tokens
}

// Redact replaces everything in s that looks like a secret.
func Redact(s string) string {
	for _, sh := range secretShapes {
		s = sh.re.ReplaceAllString(s, sh.with)
	}
	return s
}

func guard(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); s != "" {
			if r := Redact(s); r != s {
				a.Value = slog.StringValue(r)
			}
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok && err != nil {
			if s, r := err.Error(), Redact(err.Error()); r != s {
				a.Value = slog.StringValue(r)
			}
		}
	}
	return a
}
