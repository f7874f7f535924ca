package input_test

import (
	"errors"
	"fmt"

	"github.com/heraldhq/herald/input"
)

// An app tells its user which field to fix, whichever Herald package
// refused the input.
func ExampleFieldError() {
	err := errors.Join(input.CheckID("post_id", "launch post"), input.CheckID("account_id", ""))
	var fe *input.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, "->", fe.Problem)
	}
	fmt.Println(errors.Is(err, input.ErrInvalid))
	// Output:
	// post_id -> may contain only letters, digits and . _ : -
	// true
}
