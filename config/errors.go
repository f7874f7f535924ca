package config

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// A VarError is one problem with one variable. Load joins one VarError per
// problem with errors.Join; find them with errors.As.
type VarError struct {
	Var     string // the variable, e.g. HERALD_WORKER_CONCURRENCY
	Value   string // the value as written; empty for secrets and Redis URLs
	Problem string // what is wrong, e.g. "not a number"
}

func (e *VarError) Error() string {
	if e.Value == "" {
		return e.Var + ": " + e.Problem
	}
	return e.Var + "=" + quoteIfNeeded(e.Value) + ": " + e.Problem
}

// quoteIfNeeded leaves plain values as they are, as a user would write
// them, and quotes those whose edges or characters would otherwise hide.
func quoteIfNeeded(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// shownValue is what an error may echo of a non-secret value: a URL with a
// password is redacted, and a URL too broken to redact is not shown.
func shownValue(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if _, has := u.User.Password(); has {
		return u.Redacted()
	}
	return s
}

// joinInOrder joins errs with the problems of each variable in declaration
// order, so the same mistakes always read the same way.
func joinInOrder(specs []spec, errs []error) error {
	rank := func(err error) int {
		var ve *VarError
		if errors.As(err, &ve) {
			if i := slices.IndexFunc(specs, func(s spec) bool { return s.Name == ve.Var }); i >= 0 {
				return i
			}
		}
		return len(specs)
	}
	slices.SortStableFunc(errs, func(a, b error) int { return rank(a) - rank(b) })
	return errors.Join(errs...)
}
