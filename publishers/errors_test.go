package publishers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

func TestClassOf(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  error
		want publishers.Class
	}{
		{"unclassified", cause, publishers.ClassTransient},
		{"transient", publishers.Transient(cause), publishers.ClassTransient},
		{"rate limited", publishers.RateLimited(time.Second, cause), publishers.ClassRateLimited},
		{"reauth", publishers.Reauth(cause), publishers.ClassReauth},
		{"permanent", publishers.Permanent(cause), publishers.ClassPermanent},
		{"wrapped", fmt.Errorf("step 2: %w", publishers.Permanent(cause)), publishers.ClassPermanent},
		{"outermost wins", publishers.Reauth(publishers.Transient(cause)), publishers.ClassReauth},
		{"nil cause", publishers.Permanent(nil), publishers.ClassPermanent},
		{"no error", nil, publishers.ClassNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := publishers.ClassOf(tt.err); got != tt.want {
				t.Errorf("ClassOf = %q, want %q", got, tt.want)
			}
		})
	}
}

// ClassNone reads as no failure wherever a class is written, and is no
// class a failure can have.
func TestClassNoneIsNoFailure(t *testing.T) {
	if s := publishers.ClassNone.String(); s != "" {
		t.Errorf("ClassNone.String() = %q, want \"\"", s)
	}
	for _, c := range []publishers.Class{publishers.ClassTransient, publishers.ClassRateLimited, publishers.ClassReauth, publishers.ClassPermanent} {
		if c == publishers.ClassNone {
			t.Errorf("ClassNone equals %s", c)
		}
	}
	if c, ok := publishers.ParseClass(""); ok {
		t.Errorf("ParseClass(\"\") = %s, true; want no class", c)
	}
	if s := publishers.Class(-2).String(); s != "class(-2)" {
		t.Errorf("Class(-2).String() = %q, want class(-2)", s)
	}
}

func TestClassifiedErrorsKeepTheirCause(t *testing.T) {
	err := publishers.Transient(fmt.Errorf("upload: %w", context.DeadlineExceeded))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("cause lost")
	}
	if got := publishers.RateLimited(-time.Second, nil); publishers.ClassOf(got) != publishers.ClassRateLimited {
		t.Error("negative delay changed the class")
	} else if d, _ := publishers.RetryAfter(got); d != 0 {
		t.Errorf("negative delay kept: %v", d)
	}
}

func TestClassNamesRoundTrip(t *testing.T) {
	for c := publishers.ClassTransient; c <= publishers.ClassPermanent; c++ {
		got, ok := publishers.ParseClass(c.String())
		if !ok || got != c {
			t.Errorf("ParseClass(%q) = %v, %v", c.String(), got, ok)
		}
	}
	if _, ok := publishers.ParseClass("nope"); ok {
		t.Error("ParseClass accepted an unknown name")
	}
}

func TestRegistry(t *testing.T) {
	r := publishers.NewRegistry()
	r.Register("sandbox", nil)
	r.Register("youtube", nil)
	if _, ok := r.Lookup("sandbox"); !ok {
		t.Error("registered platform not found")
	}
	if _, ok := r.Lookup("myspace"); ok {
		t.Error("unknown platform found")
	}
	if got := fmt.Sprint(r.Names()); got != "[sandbox youtube]" {
		t.Errorf("Names() = %s", got)
	}
	for _, bad := range []string{"sandbox", "", "You Tube"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", bad)
				}
			}()
			r.Register(bad, nil)
		}()
	}
}
