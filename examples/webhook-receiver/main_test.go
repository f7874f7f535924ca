package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/webhook"
)

func TestReceiverVerifiesAndDeduplicates(t *testing.T) {
	const secret = "whsec-0123456789abcdef01234567"
	var out strings.Builder
	h := newHandler(secret, &out)
	body := `{"id":"1-0","type":"post.published","at":"2026-01-01T00:00:00Z","account_id":"acct-1","post_id":"p1","url":"https://youtu.be/x"}`
	send := func(sig string) int {
		req := httptest.NewRequest(http.MethodPost, "/hooks/herald", strings.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	good := webhook.Sign([]byte(body), time.Now(), secret)
	tests := []struct {
		name string
		sig  string
		want int
	}{
		{"signed", good, http.StatusNoContent},
		{"again (a redelivery)", good, http.StatusNoContent},
		{"wrong secret", webhook.Sign([]byte(body), time.Now(), "not-the-secret-0123456789ab"), http.StatusUnauthorized},
		{"old", webhook.Sign([]byte(body), time.Now().Add(-time.Hour), secret), http.StatusUnauthorized},
		{"unsigned", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got := send(tt.sig); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if n := strings.Count(out.String(), "post.published"); n != 1 {
		t.Errorf("printed %d times:\n%s", n, out.String())
	}
}
