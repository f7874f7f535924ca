package logging_test

import (
	"bytes"
	"encoding/json"
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
		{"GET https://b.s3.amazonaws.com/v?X-Amz-Date=1&X-Amz-Signature=a1b2c3d4e5: 403", "a1b2c3d4e5"},
		{"GET https://b.s3.amazonaws.com/v?X-Amz-Security-Token=IQoJb3JpZ2luX2Vj&X-Amz-Expires=9", "IQoJb3JpZ2luX2Vj"},
		{"GET https://storage.googleapis.com/b/v?X-Goog-Signature=0f1e2d3c4b&X-Goog-Expires=9", "0f1e2d3c4b"},
		{"GET https://a.blob.core.windows.net/c/v?sv=2020&sig=AzUrEsIg%3D&se=2030", "AzUrEsIg%3D"},
		{"GET https://d.cloudfront.net/v?Expires=1900000000&Signature=CfSiGnAtUrE~&Key-Pair-Id=K", "CfSiGnAtUrE~"},
		{"GET https://cdn.example/v?expires=1&signature=GeNeRiCsIg", "GeNeRiCsIg"},
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

func TestRedactJSONMasksInsideEscapedStrings(t *testing.T) {
	in := []byte(`{"url":"https://m.example/v?a=1\u0026token=SeCrEt-1\u0026X-Amz-Signature=SeCrEt-2","n":[1.5,{"sig=SeCrEt-3":true}]}`)
	got, ok := logging.RedactJSON(in)
	if !ok {
		t.Fatal("RedactJSON refused JSON")
	}
	for _, s := range []string{"SeCrEt-1", "SeCrEt-2", "SeCrEt-3"} {
		if strings.Contains(got, s) {
			t.Errorf("RedactJSON kept %s: %s", s, got)
		}
	}
	if want := `{"n":[1.5,{"sig=[redacted]":true}],"url":"https://m.example/v?a=1&token=[redacted]&X-Amz-Signature=[redacted]"}`; got != want {
		t.Errorf("RedactJSON = %s\nwant %s", got, want)
	}
	if _, ok := logging.RedactJSON([]byte("not json")); ok {
		t.Error("RedactJSON took text for JSON")
	}
}

// FuzzRedactJSON: any input is refused or comes back as JSON.
func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"u":"?a=1\u0026token=x"}`))
	f.Add([]byte(`[1,"sig=y",null,{"k":[true]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, ok := logging.RedactJSON(b); ok && !json.Valid([]byte(s)) {
			t.Errorf("RedactJSON(%q) = %q, not JSON", b, s)
		}
	})
}
