package input

import (
	"fmt"
	"regexp"
)

// MaxIDLen is the longest id an app may choose. Ids go into Redis keys
// and asynq task ids, so they are short and need no escaping.
const MaxIDLen = 128

// idChars are the characters of an id: safe in Redis keys, URL paths
// (the API's) and asynq task ids. ':' is among them so that an app may
// use its own namespaced ids ("acme:post:42").
var idChars = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)

// CheckID checks id, an app's post or account id given as field, against
// the one id rule: 1 to MaxIDLen characters of [A-Za-z0-9._:-]. It
// returns nil or a FieldError naming field.
func CheckID(field, id string) *FieldError {
	switch {
	case id == "":
		return &FieldError{field, "required"}
	case len(id) > MaxIDLen:
		return &FieldError{field, fmt.Sprintf("longer than %d characters", MaxIDLen)}
	case !idChars.MatchString(id):
		return &FieldError{field, "may contain only letters, digits and . _ : -"}
	}
	return nil
}

// ValidID reports whether id follows the id rule (CheckID finds nothing).
func ValidID(id string) bool { return CheckID("id", id) == nil }
