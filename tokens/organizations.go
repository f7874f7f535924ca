package tokens

import (
	"fmt"
	"slices"
	"strings"
)

// checkOrganizations names what is wrong with a's organizations: only an
// account of a platform whose Organization is set has them, and not one
// that is itself an organization (it posts as itself); each is in the
// platform's form, at most MaxOrganizations, none twice. An unknown
// platform is validate's to report.
func checkOrganizations(a Account, known map[string]Platform) []error {
	if len(a.Organizations) == 0 {
		return nil
	}
	p, ok := known[a.Platform]
	switch {
	case !ok:
		return nil
	case p.Organization == nil:
		return []error{&FieldError{Field: "organizations", Problem: noOrganizations(a.Platform, known)}}
	case p.Organization(a.PlatformUserID) == nil:
		return []error{&FieldError{Field: "organizations", Problem: "the account is an organization (platform_user_id), which posts as itself: organizations are for a member's account"}}
	case len(a.Organizations) > MaxOrganizations:
		return []error{&FieldError{Field: "organizations", Problem: fmt.Sprintf("%d organizations, at most %d allowed", len(a.Organizations), MaxOrganizations)}}
	}
	var errs []error
	seen := make(map[string]int, len(a.Organizations))
	for i, o := range a.Organizations {
		field := fmt.Sprintf("organizations[%d]", i)
		if len(o) > MaxPlatformUserID {
			errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf("longer than %d characters", MaxPlatformUserID)})
			continue
		}
		if err := p.Organization(o); err != nil {
			errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf("%s is %v", quoted(o), err)})
			continue
		}
		if j, dup := seen[o]; dup {
			errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf("%s is organizations[%d] again", o, j)})
			continue
		}
		seen[o] = i
	}
	return errs
}

// noOrganizations says that platform's accounts have no organizations,
// and which platforms' have.
func noOrganizations(platform string, known map[string]Platform) string {
	var names []string
	for name, p := range known {
		if p.Organization != nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("%s accounts have no organizations", quoted(platform))
	}
	slices.Sort(names)
	return fmt.Sprintf("only %s accounts have organizations, not %s accounts", strings.Join(names, " and "), quoted(platform))
}

// quoted quotes a value an app sent for an error message, cut to 80
// bytes so a huge value does not make a huge answer.
func quoted(v string) string {
	if len(v) > 80 {
		return fmt.Sprintf("%q...", v[:80])
	}
	return fmt.Sprintf("%q", v)
}
