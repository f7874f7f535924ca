package wire

import "time"

// Positive returns d, or def when d is not positive: the default of an
// Options duration left unset.
func Positive(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
