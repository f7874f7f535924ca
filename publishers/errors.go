package publishers

import (
	"errors"
	"fmt"
	"time"
)

// Class says what kind of failure an error is, and so what the worker does
// with it.
type Class int

const (
	// ClassTransient is retried with exponential backoff. It is also the
	// class of any error a publisher did not classify.
	ClassTransient Class = iota
	// ClassRateLimited is retried after the platform's delay and is not
	// counted against the retry budget.
	ClassRateLimited
	// ClassReauth stops the job: the account must be connected again.
	ClassReauth
	// ClassPermanent stops the job: retrying cannot help.
	ClassPermanent
)

// ClassNone is ClassOf a nil error: no failure, so nothing to retry or
// stop. It equals none of the four classes above, and its String is "",
// what a record or an event without a failure carries.
const ClassNone Class = -1

var classNames = [...]string{"transient", "rate_limited", "reauth", "permanent"}

// String returns the class as used in records, events and metric labels;
// "" for ClassNone.
func (c Class) String() string {
	switch {
	case c == ClassNone:
		return ""
	case c >= 0 && int(c) < len(classNames):
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// ParseClass is the inverse of Class.String.
func ParseClass(s string) (Class, bool) {
	for i, n := range classNames {
		if n == s {
			return Class(i), true
		}
	}
	return ClassTransient, false
}

// Error is a classified failure. Publishers build one with Transient,
// RateLimited, Reauth or Permanent; callers inspect it with ClassOf and
// RetryAfter.
type Error struct {
	Class Class
	// RetryAfter is how long the platform asked us to wait (RateLimited
	// only; zero means "use the default backoff").
	RetryAfter time.Duration
	// Err is the cause. Its text must never contain a token or another
	// secret: it ends up in logs and in asynqmon.
	Err error
}

func (e *Error) Error() string {
	if e.Class == ClassRateLimited && e.RetryAfter > 0 {
		return fmt.Sprintf("%s (retry after %s): %v", e.Class, e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Class, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

func classify(c Class, err error) error {
	if err == nil {
		err = errors.New(c.String())
	}
	return &Error{Class: c, Err: err}
}

// Transient marks err as worth retrying with backoff.
func Transient(err error) error { return classify(ClassTransient, err) }

// Reauth marks err as "the account's token no longer works".
func Reauth(err error) error { return classify(ClassReauth, err) }

// Permanent marks err as "this post can never succeed as it is".
func Permanent(err error) error { return classify(ClassPermanent, err) }

// RateLimited marks err as "the platform asked us to wait after".
func RateLimited(after time.Duration, err error) error {
	if err == nil {
		err = errors.New("rate limited")
	}
	if after < 0 {
		after = 0
	}
	return &Error{Class: ClassRateLimited, RetryAfter: after, Err: err}
}

// ClassOf returns the class of err: the class of the outermost *Error in
// its chain, or ClassTransient when there is none. A nil error is
// ClassNone, so that no caller takes the absence of an error for a
// failure to retry.
func ClassOf(err error) Class {
	if err == nil {
		return ClassNone
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassTransient
}

// RetryAfter returns the delay a RateLimited error carries, and whether err
// is rate-limited at all.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.Class == ClassRateLimited {
		return e.RetryAfter, true
	}
	return 0, false
}

// ErrOutcomeUnknown is in the chain of an error whose post may or may not
// be on the platform: the answer to the call that creates it was lost and
// the publisher could not look it up. The worker records the post as
// "unknown" rather than scheduled, and a cancel of such a post waits for
// the next attempt to learn the truth (Request.ResolveOnly). Wrap it in a
// classified error (Transient: the next attempt looks again, never posts
// twice).
var ErrOutcomeUnknown = errors.New("outcome unknown")

// ErrNotPublished is what a publisher returns for a Request with
// ResolveOnly set when the platform has no post of it: nothing an
// earlier attempt sent became a post. The worker then records the
// canceled post as canceled (a post past its deadline as too late).
var ErrNotPublished = errors.New("the platform has no post of it")
