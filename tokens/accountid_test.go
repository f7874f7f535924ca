package tokens_test

import (
	"context"
	"errors"
	"testing"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/tokens"
)

// TestDisconnectRefusesABadAccountID: Disconnect applies the id rule
// before it touches Redis or runs OnDisconnect, and says so as a
// FieldError an app reads like any other.
func TestDisconnectRefusesABadAccountID(t *testing.T) {
	f := newFixture(t)
	hooked := 0
	v := f.vault(func(o *tokens.Options) {
		o.OnDisconnect = func(context.Context, string, string) error { hooked++; return nil }
	})
	for _, id := range []string{"", "a b", "a/b"} {
		err := v.Disconnect(context.Background(), id)
		var fe *input.FieldError
		if !errors.As(err, &fe) || fe.Field != "account_id" || !errors.Is(err, tokens.ErrInvalid) {
			t.Errorf("Disconnect(%q) = %v, want an account_id FieldError", id, err)
		}
		if want := input.CheckID("account_id", id); fe != nil && *fe != *want {
			t.Errorf("Disconnect(%q) says %v, the id rule says %v", id, fe, want)
		}
	}
	if hooked != 0 {
		t.Errorf("OnDisconnect ran %d times for bad ids", hooked)
	}
}
