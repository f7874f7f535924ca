// Package input is what Herald asks of the values an app hands it, and
// how it says that one is wrong: the one rule for the ids an app chooses
// (post and account ids, in jobs, tokens and the HTTP API alike) and
// FieldError, the one error that names a bad field.
//
// It is public because apps read its errors: jobs.FieldError and
// tokens.FieldError are aliases of FieldError, and jobs.ErrInvalid and
// tokens.ErrInvalid are ErrInvalid, so an app matches every validation
// failure of either package with one errors.As or errors.Is:
//
//	var fe *input.FieldError
//	if errors.As(err, &fe) {
//		fmt.Printf("field %s: %s\n", fe.Field, fe.Problem)
//	}
//
// The API turns each FieldError into one entry of a 400 problem's
// "fields", so a Problem's wording is part of what apps see: keep it
// stable.
package input
