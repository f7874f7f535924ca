package sandboxserver

import (
	"net/http"
	"slices"
	"strings"
)

// Scopes of the tokens the consent issued: each carries those the user
// ticked, and a call that needs another is refused (403 forbidden,
// "missing scope: <name>"), as the real platforms refuse a token without
// the scope a call takes. Tokens the server did not issue (the tests'
// own) carry every scope.

// scoped serves with serve only a token that carries scope.
func (s *Server) scoped(scope string, serve func(*http.Request, []byte) reply) func(*http.Request, []byte) reply {
	return func(r *http.Request, body []byte) reply {
		_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		s.mu.Lock()
		granted, known := s.scopes[tok]
		s.mu.Unlock()
		if known && !slices.Contains(granted, scope) {
			return fail(http.StatusForbidden, "forbidden", "missing scope: "+scope)
		}
		return serve(r, body)
	}
}
