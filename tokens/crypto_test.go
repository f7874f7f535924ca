package tokens_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/heraldhq/herald/tokens"
)

func TestSecretNeverPrints(t *testing.T) {
	s := tokens.Secret("ya29.very-secret")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "token", s)
	js, _ := json.Marshal(struct{ T tokens.Secret }{s})
	for name, out := range map[string]string{
		"%s": fmt.Sprintf("%s", s), "%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s),
		"%#v": fmt.Sprintf("%#v", s), "%q": fmt.Sprintf("%q", s), "%x": fmt.Sprintf("%x", s),
		"struct": fmt.Sprintf("%+v", struct{ T tokens.Secret }{s}), "json": string(js), "slog": buf.String(),
	} {
		if strings.Contains(out, "very-secret") {
			t.Errorf("%s prints the secret: %s", name, out)
		}
	}
	if s.Reveal() != "ya29.very-secret" {
		t.Error("Reveal lost the value")
	}
}

func TestParseKeyring(t *testing.T) {
	good := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	tests := []struct {
		spec, wantErr string
	}{
		{"k1:" + good, ""},
		{"k1:" + good + ", k2:" + good, ""},
		{"", "no keys"},
		{"k1", "key 1: want id:base64key"},
		{"k 1:" + good, "key 1: id must be"},
		{"k1:" + good + ",k1:" + good, `key 2: id "k1" used twice`},
		{"k1:not-base64!!", "key 1 (k1): not base64"},
		{"k1:AAEC", "key 1 (k1): 3 bytes, want 32"},
	}
	for _, tt := range tests {
		_, err := tokens.ParseKeyring(tt.spec)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("ParseKeyring(%q) = %v", tt.spec, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseKeyring(%q) = %v, want %q", tt.spec, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), good) {
			t.Errorf("error echoes a key: %v", err)
		}
	}
}

func TestGenerateKeyMakesAUsableKeyring(t *testing.T) {
	k, err := tokens.GenerateKey("2026-11")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := tokens.ParseKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed := ring.Seal("post:1", "https://upload.example/session?upload_id=xyz")
	if strings.Contains(sealed, "upload_id") {
		t.Error("Seal left the value readable")
	}
	if got, err := ring.Open("post:1", sealed); err != nil || got != "https://upload.example/session?upload_id=xyz" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := ring.Open("post:2", sealed); err == nil {
		t.Error("a value sealed for post:1 opened for post:2")
	}
}

func ExampleGenerateKey() {
	k, _ := tokens.GenerateKey("2026-11")
	ring, _ := tokens.ParseKeyring(k)
	fmt.Println(ring.Primary(), len(k) > 40)
	// Output: 2026-11 true
}
