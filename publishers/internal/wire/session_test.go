package wire_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

func TestSessionRefreshesOnce(t *testing.T) {
	if _, err := wire.NewSession("x", &oauth2.Token{}, nil); publishers.ClassOf(err) != publishers.ClassReauth {
		t.Errorf("no token: %v", err)
	}
	calls := 0
	refresh := func(context.Context) (*oauth2.Token, error) {
		calls++
		return &oauth2.Token{AccessToken: "at-2", RefreshToken: "rt-2"}, nil
	}
	s, err := wire.NewSession("x", &oauth2.Token{AccessToken: "at-1", RefreshToken: "rt-1"}, refresh)
	if err != nil {
		t.Fatal(err)
	}
	s.Hide("https://upload.example/?sig=abc", "")
	if ok, err := s.Refresh(context.Background()); !ok || err != nil || s.Token != "at-2" {
		t.Fatalf("Refresh = %v, %v; token %q", ok, err, s.Token)
	}
	if ok, _ := s.Refresh(context.Background()); ok || s.CanRefresh() || calls != 1 {
		t.Errorf("a second refresh: ok %v, can %v, %d calls", ok, s.CanRefresh(), calls)
	}
	want := []string{"at-1", "rt-1", "https://upload.example/?sig=abc", "at-2", "rt-2"}
	if !slices.Equal(s.Secrets(), want) {
		t.Errorf("secrets %v, want %v", s.Secrets(), want)
	}

	failing, _ := wire.NewSession("x", &oauth2.Token{AccessToken: "at"}, func(context.Context) (*oauth2.Token, error) {
		return nil, errors.New("refused")
	})
	if ok, err := failing.Refresh(context.Background()); ok || err == nil || failing.Token != "at" {
		t.Errorf("failed refresh: %v, %v, token %q", ok, err, failing.Token)
	}
	empty, _ := wire.NewSession("x", &oauth2.Token{AccessToken: "at"}, func(context.Context) (*oauth2.Token, error) { return &oauth2.Token{}, nil })
	if ok, err := empty.Refresh(context.Background()); ok || err != nil {
		t.Errorf("empty refresh: %v, %v", ok, err)
	}
	none, _ := wire.NewSession("x", &oauth2.Token{AccessToken: "at"}, nil)
	if none.CanRefresh() {
		t.Error("a session without refresh can refresh")
	}
}

func TestSessionHidesUploadURLs(t *testing.T) {
	s, _ := wire.NewSession("x", &oauth2.Token{AccessToken: "at"}, nil)
	s.HideURL("https://upload.example/v/1?upload_id=42&upload_token=ut-5f1c", "upload_token")
	s.HideURL("https://upload.example/v/2?a=1")
	want := []string{"at", "https://upload.example/v/1?upload_id=42&upload_token=ut-5f1c", "upload_id=42&upload_token=ut-5f1c", "ut-5f1c", "https://upload.example/v/2?a=1"}
	if !slices.Equal(s.Secrets(), want) {
		t.Errorf("secrets %v, want %v", s.Secrets(), want)
	}
}
