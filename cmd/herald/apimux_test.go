package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Every path but /metrics reaches the API as it was sent, clean or not,
// so the API answers (and logs) it rather than a mux's HTML redirect.
func TestAPIMuxHandsUncleanPathsToTheAPI(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"GET", "/metrics", "metrics"},
		{"HEAD", "/metrics", "metrics"},
		{"POST", "/metrics", "api"},
		{"GET", "/v1/callbacks/../posts/x", "api"},
		{"GET", "//v1/posts/x", "api"},
		{"GET", "/v1/posts/x", "api"},
	}
	for _, tt := range tests {
		var got string
		h := apiMux(
			http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = "api" }),
			http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = "metrics" }),
		)
		req := httptest.NewRequest(tt.method, "/", nil)
		req.URL.Path = tt.path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got != tt.want || rec.Code != http.StatusOK {
			t.Errorf("%s %s went to %q (%d), want %s", tt.method, tt.path, got, rec.Code, tt.want)
		}
	}
}
