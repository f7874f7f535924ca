// Package logging builds Herald's loggers: log/slog, JSON in production
// and text in the demo, with a last guard against secrets. Values of
// tokens.Secret redact themselves; the guard also rewrites any string or
// error that looks like a bearer token, an OAuth access or refresh token,
// a JWT or a presigned URL's signature (X-Amz-Signature,
// X-Goog-Signature, sig, signature), in case one slipped into an error
// message from a library. RedactJSON does the same inside a JSON
// document's strings, before they are encoded (where & is \u0026), for
// the monitor's task payloads.
package logging

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
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
	// Presigned URLs: whoever holds the signature (S3, GCS, Azure SAS,
	// CloudFront, most CDNs) may fetch the object until it expires.
	{regexp.MustCompile(`(?i)\b(x-amz-signature|x-goog-signature|x-amz-security-token|sig|signature)=[^&\s"]+`), "$1=[redacted]"},
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

// RedactJSON masks secrets inside the strings (keys and values) of the
// JSON document b and returns it encoded again, without HTML escaping.
// Masking happens on the decoded strings, so an escape such as \u0026
// for & cannot hide a query parameter. ok is false when b is not JSON.
func RedactJSON(b []byte) (s string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "", false
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redactValue(v)); err != nil {
		return "", false
	}
	return strings.TrimSuffix(out.String(), "\n"), true
}

func redactValue(v any) any {
	switch v := v.(type) {
	case string:
		return Redact(v)
	case []any:
		for i := range v {
			v[i] = redactValue(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			out[Redact(k)] = redactValue(val)
		}
		return out
	}
	return v
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
