package youtube_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// Revoke posts the refresh token (the access token when there is none)
// to Google's endpoint; an unknown token is an error that names the host
// and status, never the token.
func TestRevoke(t *testing.T) {
	yt := youtubetest.New()
	defer yt.Close()
	revoke := youtube.Revoke(yt.RevokeURL())
	ctx := context.Background()
	tests := []struct {
		name string
		tok  func() *oauth2.Token
		ok   bool
	}{
		{"refresh token", func() *oauth2.Token {
			g := yt.IssueToken("a1")
			return &oauth2.Token{AccessToken: "not-this-one", RefreshToken: g.RefreshToken}
		}, true},
		{"access token alone", func() *oauth2.Token { return &oauth2.Token{AccessToken: yt.IssueToken("a2").AccessToken} }, true},
		{"unknown token", func() *oauth2.Token { return &oauth2.Token{RefreshToken: "1//unknown-refresh-token"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.tok()
			before := yt.Count(youtubetest.OpRevoke, 200)
			err := revoke(ctx, nil, tok)
			if tt.ok {
				if err != nil || yt.Count(youtubetest.OpRevoke, 200) != before+1 {
					t.Fatalf("revoke: %v, %d revocations, want one", err, yt.Count(youtubetest.OpRevoke, 200)-before)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "HTTP 400") {
				t.Fatalf("revoke of an unknown token: %v, want HTTP 400", err)
			}
			if strings.Contains(err.Error(), tok.RefreshToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
