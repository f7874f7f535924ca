package input_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald/input"
)

func TestCheckID(t *testing.T) {
	tests := []struct {
		id      string
		problem string // "" for a valid id
	}{
		{"post-1", ""},
		{"acme:post:42", ""},
		{"a.b_c-D9", ""},
		{strings.Repeat("x", input.MaxIDLen), ""},
		{"", "required"},
		{strings.Repeat("x", input.MaxIDLen+1), "longer than 128 characters"},
		{"has space", "may contain only letters, digits and . _ : -"},
		{"slash/y", "may contain only letters, digits and . _ : -"},
		{"new\nline", "may contain only letters, digits and . _ : -"},
		{"ünï", "may contain only letters, digits and . _ : -"},
	}
	for _, tt := range tests {
		fe := input.CheckID("post_id", tt.id)
		switch {
		case tt.problem == "" && fe != nil:
			t.Errorf("CheckID(%q) = %v, want nil", tt.id, fe)
		case tt.problem != "" && (fe == nil || fe.Field != "post_id" || fe.Problem != tt.problem):
			t.Errorf("CheckID(%q) = %v, want post_id: %s", tt.id, fe, tt.problem)
		}
		if got := input.ValidID(tt.id); got != (tt.problem == "") {
			t.Errorf("ValidID(%q) = %v", tt.id, got)
		}
	}
}

func TestFieldErrorIsInvalid(t *testing.T) {
	err := errors.Join(errors.New("other"), input.CheckID("account_id", ""))
	var fe *input.FieldError
	if !errors.As(err, &fe) || fe.Field != "account_id" {
		t.Fatalf("errors.As found %v in %v", fe, err)
	}
	if !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("%v does not match ErrInvalid", err)
	}
	if errors.Is(errors.New("account_id: required"), input.ErrInvalid) {
		t.Fatal("a plain error matches ErrInvalid")
	}
	if got := fe.Error(); got != "account_id: required" {
		t.Fatalf("Error() = %q", got)
	}
}

func FuzzCheckID(f *testing.F) {
	f.Add("post-1")
	f.Add("")
	f.Add("a/b")
	f.Fuzz(func(t *testing.T, id string) {
		fe := input.CheckID("id", id)
		ok := id != "" && len(id) <= input.MaxIDLen && strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == ""
		if (fe == nil) != ok {
			t.Fatalf("CheckID(%q) = %v, want ok=%v", id, fe, ok)
		}
	})
}
