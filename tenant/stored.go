package tenant

import (
	"strings"

	"github.com/heraldhq/herald/input"
)

// CheckStored checks a stored id (what Qualify returns) where Herald
// reads one back from its own store: a task payload, a task id, a key
// name. It is input.CheckID for the default tenant's ids and, for a
// qualified id, a valid tenant name, Sep and an id input.CheckID
// accepts. Ids that come from an app are checked with input.CheckID and
// then qualified, never with CheckStored: an app that could name a
// stored id could name another tenant's.
func CheckStored(field, id string) *input.FieldError {
	t, app, qualified := strings.Cut(id, Sep)
	if !qualified {
		return input.CheckID(field, id)
	}
	if t == Default || Check(t) != nil {
		// The default tenant's ids are never qualified (Qualify).
		return &input.FieldError{Field: field, Problem: "not a stored id: bad tenant part"}
	}
	return input.CheckID(field, app)
}
