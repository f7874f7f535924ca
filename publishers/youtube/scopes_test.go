package youtube_test

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/youtube"
)

// A video takes an upload scope; a playlist asks one that manages the
// channel, which youtube.upload is not.
func TestNeeds(t *testing.T) {
	needs := youtube.Platform(youtube.Options{}, youtube.Credentials{}).Needs
	const p = "https://www.googleapis.com/auth/"
	tests := []struct {
		name    string
		options map[string]string
		granted []string
		unmet   int
	}{
		{"upload", nil, []string{p + "youtube.upload"}, 0},
		{"upload through youtube", nil, []string{p + "youtube"}, 0},
		{"read only", nil, []string{p + "youtube.readonly"}, 1},
		{"playlist with upload", map[string]string{youtube.OptionPlaylistID: "PL1"}, []string{p + "youtube.upload"}, 1},
		{"playlist with force-ssl", map[string]string{youtube.OptionPlaylistID: "PL1"}, []string{p + "youtube.force-ssl"}, 0},
		{"short names are not Google's", nil, []string{"youtube.upload"}, 1},
	}
	for _, tt := range tests {
		if n := len(publishers.Unmet(needs("UC1", publishers.Content{Options: tt.options}), tt.granted)); n != tt.unmet {
			t.Errorf("%s: %d unmet, want %d", tt.name, n, tt.unmet)
		}
	}
}
