// Package randomid makes the ids Herald mints itself (a token record's
// revision, an attempt's lease): 96 random bits as 24 hex digits, which
// also pass input.CheckID, so they fit wherever an app's id does.
//
//	rev := randomid.New()
package randomid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a fresh random id. 96 bits make a collision between ids
// that live side by side (revisions of one account, leases of one post)
// out of reach without making keys long.
func New() string {
	var b [12]byte
	// crypto/rand.Read never fails (it panics on a broken system source).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
