package input

import "errors"

// ErrInvalid is matched (errors.Is) by every FieldError: input that can
// never be accepted as it is, as opposed to a conflict or a missing post.
var ErrInvalid = errors.New("invalid")

// FieldError says which field of an input is wrong and how.
type FieldError struct {
	Field   string // the JSON name, e.g. "content.media[2].url"
	Problem string // what is wrong, e.g. "required"
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Is makes errors.Is(err, ErrInvalid) true for a FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
