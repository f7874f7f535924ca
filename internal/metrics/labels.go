package metrics

import (
	"regexp"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// other is the label value for anything outside a label's known set.
const other = "other"

// platformName is the shape of a platform name ("youtube", "sandbox").
var platformName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// platformLabel keeps platform names and folds anything else (a value
// that came from a corrupt record) into "other".
func platformLabel(p string) string {
	if platformName.MatchString(p) {
		return p
	}
	return other
}

// classLabel keeps the failure classes Herald knows; "" (no failure) stays
// "".
func classLabel(c string) string {
	switch c {
	case "", jobs.ClassTooLate, jobs.ClassArchived, jobs.ClassOutcomeUnknown:
		return c
	}
	if _, ok := publishers.ParseClass(c); ok {
		return c
	}
	return other
}

// oneOf returns v if it is one of known, else "other".
func oneOf(v string, known ...string) string {
	for _, k := range known {
		if v == k {
			return v
		}
	}
	return other
}
