package tenant

import (
	"fmt"
	"regexp"
	"strings"
)

// Default is the tenant of a deployment that configures none, and of
// every API key and webhook endpoint HERALD_TENANTS does not assign.
const Default = "default"

// Other is the metrics' tenant label of an id whose tenant is not
// configured (Config.Label); no tenant may take the name.
const Other = "other"

// Sep joins a tenant and an app's id in a qualified id. It is not one of
// input.CheckID's characters, so a qualified id never equals an app id.
const Sep = "~"

// MaxNameLen is the longest tenant name.
const MaxNameLen = 32

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Check reports what is wrong with a tenant name, or nil.
func Check(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("tenant name is empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("tenant name %q is longer than %d characters", name, MaxNameLen)
	case name == Other:
		return fmt.Errorf("tenant name %q is reserved: the metrics' tenant label uses it for ids of no configured tenant", name)
	case !namePattern.MatchString(name):
		return fmt.Errorf("tenant name %q may contain only lower-case letters, digits and -, starting with a letter or digit", name)
	}
	return nil
}

// Qualify returns the id Herald stores for tenant t's id. The default
// tenant's ids (and an empty tenant, which means the default) are
// returned unchanged.
func Qualify(t, id string) string {
	if t == "" || t == Default {
		return id
	}
	return t + Sep + id
}

// Split undoes Qualify: the tenant and the app's id of a stored id.
func Split(qualified string) (t, id string) {
	if t, id, ok := strings.Cut(qualified, Sep); ok {
		return t, id
	}
	return Default, qualified
}

// Of returns the tenant of a stored id.
func Of(qualified string) string {
	t, _ := Split(qualified)
	return t
}

// Owns reports whether the stored id belongs to tenant t.
func Owns(t, qualified string) bool {
	if t == "" {
		t = Default
	}
	return Of(qualified) == t
}
