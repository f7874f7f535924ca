package linkedin

import (
	"fmt"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// LinkedIn's versions: a monthly release, YYYYMM (a patch is YYYYMM.RR),
// "supported and stable for a minimum of one year before sunset"
// (Marketing API Versioning, learn.microsoft.com/linkedin/marketing/versioning).
// The migrations table (…/marketing/integrations/migrations) dates each
// sunset in the same month a year on, between the 15th and the 18th
// (202510: October 15, 2026). A sunset version answers 426 to every call.
const (
	// versionWarnAge is when doctor starts warning: three months before
	// the earliest sunset, time to move the setting.
	versionWarnAge = 9
	// versionSunsetAge is LinkedIn's promise: a version is served for at
	// least twelve months; past it every call may answer 426.
	versionSunsetAge = 12
	// versionRejectedWait is how long a post waits after a 426: the
	// operator must configure a newer version, which no retry of the
	// same request can do, and the post is not at fault.
	versionRejectedWait = time.Hour
)

// VersionMonth is the first day (UTC) of the month of a LinkedIn-Version,
// "202607" or "202607.01"; ok is false for anything else.
func VersionMonth(version string) (time.Time, bool) {
	if !versionPattern.MatchString(version) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(version[:4])
	m, _ := strconv.Atoi(version[4:6])
	if m < 1 || m > 12 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), true
}

// monthsSince is how many whole months lie between a version's month (its
// first day) and now: 202607 is 5 months old on December 6, 2026.
func monthsSince(month, now time.Time) int {
	n := 0
	for !now.Before(month.AddDate(0, n+1, 0)) {
		n++
	}
	return n
}

// reviewVersion is doctor's check of the configured LinkedIn-Version at
// now, counting its age from the first day of its month: a warning once
// it is more than nine months old, a problem once it is more than twelve
// (its sunset falls in its thirteenth month, from the 15th: every call
// answers 426 from then on), a problem for one not yet released or not
// YYYYMM (the publisher would send DefaultVersion instead).
func reviewVersion(version string) func(now time.Time) []publishers.Finding {
	return func(now time.Time) []publishers.Finding {
		if version == "" {
			version = DefaultVersion
		}
		month, ok := VersionMonth(version)
		if !ok {
			return []publishers.Finding{{Problem: true, Message: fmt.Sprintf("HERALD_LINKEDIN_VERSION %q is not YYYYMM: LinkedIn-Version %s is sent instead", version, DefaultVersion)}}
		}
		sunset := month.AddDate(1, 0, 14)
		switch {
		case now.Before(month):
			return []publishers.Finding{{Problem: true, Message: fmt.Sprintf("HERALD_LINKEDIN_VERSION %s is in the future: LinkedIn answers 426 to a version it has not released", version)}}
		case now.After(month.AddDate(0, versionSunsetAge, 0)):
			return []publishers.Finding{{Problem: true, Message: fmt.Sprintf("HERALD_LINKEDIN_VERSION %s is %d months old: LinkedIn serves a version for about a year, so it is sunset or about to be (%s; then every call answers 426); set a current one (%s or newer)", version, monthsSince(month, now), sunset.Format("January 2, 2006"), DefaultVersion)}}
		case now.After(month.AddDate(0, versionWarnAge, 0)):
			return []publishers.Finding{{Message: fmt.Sprintf("HERALD_LINKEDIN_VERSION %s is %d months old: LinkedIn sunsets it about %s; move to a newer version before then", version, monthsSince(month, now), sunset.Format("January 2, 2006"))}}
		}
		return nil
	}
}
