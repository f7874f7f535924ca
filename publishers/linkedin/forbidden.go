package linkedin

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// LinkedIn's 403 (Error Handling, learn.microsoft.com/linkedin/shared/
// api-guide/concepts/error-handling, "403 Forbidden"): "the access token
// does not have the correct permissions", answered as ACCESS_DENIED,
// serviceErrorCode 100, "Not enough permissions to access: <resource>".
// That is rarely the token's fault: the app was not approved for the
// product (Community Management API), the member withdrew a scope, or the
// member lost the page role (ADMINISTRATOR, CONTENT_ADMIN,
// DIRECT_SPONSORED_CONTENT_POSTER) that posting as an organization
// needs. Reconnecting fixes none of these but the second, and marking the
// account for reconnection hides the real cause; so only a 403 that names
// a token problem is reauth, and every other one is permanent with a
// reason that names the permission.
var (
	// tokenMessage is how a 403 says the token itself is refused (a
	// proxy or an old endpoint answering 403 where LinkedIn answers 401).
	tokenMessage = regexp.MustCompile(`(?i)(invalid|expired|revoked|empty)\s+(oauth2?\s+)?access[ _]token|access token (is )?(invalid|expired|revoked)|token used in the request has (been revoked|expired)`)
	// roleMessage is how a 403 says the member's role on the author does
	// not allow the call.
	roleMessage = regexp.MustCompile(`(?i)\brole\b|not (an? )?admin|does not have permission|unpermitted access|not authorized to (act|post) (on behalf|as)`)
)

// forbidden classifies a 403 answer to step, which needs scope.
func forbidden(step, scope string, e *APIError) error {
	switch {
	case tokenMessage.MatchString(e.Message):
		return publishers.Reauth(fmt.Errorf("linkedin: %s: %w", step, e))
	case roleMessage.MatchString(e.Message) && strings.Contains(scope, "organization"):
		return publishers.Permanent(fmt.Errorf("linkedin: %s: the member has no page role that allows it (ADMINISTRATOR, CONTENT_ADMIN or DIRECT_SPONSORED_CONTENT_POSTER on the organization) or the token lacks %s; a page admin must grant the role, reconnecting alone does not help: %w", step, scope, e))
	case scope != "":
		return publishers.Permanent(fmt.Errorf("linkedin: %s: permission %s refused: the LinkedIn app must be approved for the product that grants it and the member must have granted it (reconnect only if the consent left it out): %w", step, scope, e))
	default:
		return publishers.Permanent(fmt.Errorf("linkedin: %s: permission refused: %w", step, e))
	}
}
