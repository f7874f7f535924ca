package youtube

import (
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// scopePrefix prefixes Google's YouTube scopes.
const scopePrefix = "https://www.googleapis.com/auth/"

// Scopes of a publish (YouTube Data API reference, "Authorization"):
// videos.insert and thumbnails.set take any of uploadScopes; adding to a
// playlist (playlistItems.insert, OptionPlaylistID) takes one of
// manageScopes, which youtube.upload is not: the default scopes do not
// reach it.
var (
	uploadScopes = publishers.ScopeNeed{scopePrefix + "youtube.upload", scopePrefix + "youtube", scopePrefix + "youtube.force-ssl", scopePrefix + "youtubepartner"}
	manageScopes = publishers.ScopeNeed{scopePrefix + "youtube", scopePrefix + "youtube.force-ssl", scopePrefix + "youtubepartner"}
)

// needs is what a post needs: an upload scope, and a manage scope when
// it names a playlist.
func needs(_ string, c publishers.Content) []publishers.ScopeNeed {
	n := []publishers.ScopeNeed{uploadScopes}
	if strings.TrimSpace(c.Options[OptionPlaylistID]) != "" {
		n = append(n, manageScopes)
	}
	return n
}
