package logging_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/logging"
	"github.com/heraldhq/herald/tokens"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, secret string }{
		{"Authorization: Bearer abcdefgh12345678", "abcdefgh12345678"},
		{"token ya29.a0AfH6SMBx-very-secret rejected", "ya29.a0AfH6SMBx-very-secret"},
		{"refresh 1//0gLongRefreshTokenValue expired", "1//0gLongRefreshTokenValue"},
		{"jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"},
		{`Post "https://x/upload?upload_id=AEnB2Uq&part=1": EOF`, "AEnB2Uq"},
		{"GET /me?access_token=EAAGm0PX4ZCpsBAKZB123", "EAAGm0PX4ZCpsBAKZB123"},
		{"meta EAAGm0PX4ZCpsBAKZBzz1234567890abc", "EAAGm0PX4ZCpsBAKZBzz1234567890abc"},
	}
	for _, tt := range tests {
		got := logging.Redact(tt.in)
		if strings.Contains(got, tt.secret) {
			t.Errorf("Redact(%q) = %q: secret kept", tt.in, got)
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("Redact(%q) = %q: no mark", tt.in, got)
		}
	}
	if s := "post p-1 published to sandbox"; logging.Redact(s) != s {
		t.Errorf("ordinary text changed: %q", logging.Redact(s))
	}
}

func TestLoggerGuardsStringsErrorsAndSecrets(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		log := logging.New(&buf, format, -4)
		log.Info("call failed",
			"err", fmt.Errorf("youtube: %w", errors.New("Bearer ya29.zzzzzzzzzzzz rejected")),
			"header", "Bearer sk-abcdefghijkl",
			"token", tokens.Secret("plain-secret-value"),
		)
		out := buf.String()
		for _, secret := range []string{"ya29.zzzzzzzzzzzz", "sk-abcdefghijkl", "plain-secret-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s log holds %q: %s", format, secret, out)
			}
		}
	}
}
