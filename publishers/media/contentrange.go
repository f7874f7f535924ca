package media

import (
	"strconv"
	"strings"
)

// parseContentRange reads a Content-Range header of a partial answer,
// "bytes first-last/total" or "bytes first-last/*" (total -1). It accepts
// nothing else, whatever the server sends.
func parseContentRange(s string) (first, last, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	span, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, 0, false
	}
	first, err1 := parseCount(a)
	last, err2 := parseCount(b)
	if err1 != nil || err2 != nil || last < first {
		return 0, 0, 0, false
	}
	total = -1
	if size != "*" {
		t, err := parseCount(size)
		if err != nil || t <= last {
			return 0, 0, 0, false
		}
		total = t
	}
	return first, last, total, true
}

// parseCount reads a non-negative decimal with digits only (no sign).
func parseCount(s string) (int64, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}
