package youtubetest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
)

// ScopePrefix prefixes Google's YouTube scopes.
const ScopePrefix = "https://www.googleapis.com/auth/"

// opScopes are the scopes each operation takes, any one of them (the
// YouTube Data API reference, each method's "Authorization" section:
// CommentThreads: insert takes youtube.force-ssl only; Videos: delete
// youtube, youtube.force-ssl or youtubepartner). The calls within an
// upload session take the session's.
var opScopes = map[Op][]string{
	OpCommentThreadsInsert: {"youtube.force-ssl"},
	OpVideosDelete:         {"youtube", "youtube.force-ssl", "youtubepartner"},
	OpVideosInsert:         {"youtube.upload", "youtube", "youtube.force-ssl", "youtubepartner"},
	OpThumbnailsSet:        {"youtube.upload", "youtube", "youtube.force-ssl", "youtubepartner"},
	OpPlaylistItemsInsert:  {"youtube", "youtube.force-ssl", "youtubepartner"},
	OpVideosList:           {"youtube.readonly", "youtube", "youtube.force-ssl", "youtubepartner"},
	OpChannelsList:         {"youtube.readonly", "youtube", "youtube.force-ssl", "youtubepartner"},
}

// scopeList is the grant's scopes, space-separated as Google answers
// them: those its consent granted, or IssueToken's (Scope unless it
// named others). A token carries them from its issue on, its refreshes
// too; nothing widens or narrows them later.
func (g *grant) scopeList() string {
	if g.scopes == "" {
		return Scope
	}
	return g.scopes
}

// scopeRefusal is the 403 Google answers a token without a scope op
// takes (insufficientPermissions, "Request had insufficient
// authentication scopes.", the error message documentation; with RFC
// 6750 §3.1's insufficient_scope in WWW-Authenticate), or nil.
func (s *Server) scopeRefusal(op Op, r *http.Request) *reply {
	need := opScopes[op]
	if len(need) == 0 {
		return nil
	}
	_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	g, ok := s.access[token]
	granted := ""
	if ok {
		granted = g.scopeList()
	}
	s.mu.Unlock()
	if !ok {
		return nil // authenticate refuses it
	}
	have := strings.Fields(granted)
	for _, n := range need {
		if slices.Contains(have, ScopePrefix+n) {
			return nil
		}
	}
	rep := apiError(http.StatusForbidden, "insufficientPermissions", "Request had insufficient authentication scopes.")
	rep.header = http.Header{"Www-Authenticate": {`Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="` + ScopePrefix + need[0] + `"`}}
	return &rep
}

// grantedOf is what a user who ticked grant (the consent form's "grant"
// values; none means all) of asked (space-separated) granted: Google's
// granular consent lets a user leave scopes out, and the token answer's
// scope names those granted (OAuth 2.0 for Web Server Applications,
// "Handling granular permissions"); the sign-in scopes (openid, email,
// profile) cannot be left out.
func grantedOf(asked string, grant []string) string {
	return strings.Join(fakeconsent.Kept(strings.Fields(asked), grant, "openid", "email", "profile"), " ")
}
