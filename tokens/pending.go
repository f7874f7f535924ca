package tokens

import (
	"sort"
	"strings"
)

// Tokens awaiting revocation.
//
// Every disconnect that finds a sealed token keeps it for the revoke job,
// and an account may be disconnected again (after a reconnect) before
// that job has run: every such token must still be revoked. So the
// revoke key, herald:{acct:ID}:revoke, is one hash that holds any number
// of pending tokens, each under its own id (the tombstone's new rev):
// field "<id>.<name>" for each of v, platform, kid, sealed, expiry, at,
// user and login (the platform and login user ids, for grantedAgain).
// Fields without an id are a token kept by a release that held only one;
// they are read as one more entry. Each entry is deleted only after its
// own revocation succeeded (or on the job's last attempt), so one that
// fails never takes another with it, and one that succeeded is never
// revoked twice.

// pendingSep separates an entry's id from its field name.
const pendingSep = "."

// pendingRevocation is one token kept for its revocation.
type pendingRevocation struct {
	id     string            // "" for a token kept by an older release
	fields map[string]string // v, platform, kid, sealed, expiry, at, user, login
	names  []string          // its fields as stored, to delete it alone
}

// pendingRevocations splits the revoke hash into its entries, oldest
// first.
func pendingRevocations(h map[string]string) []pendingRevocation {
	byID := map[string]*pendingRevocation{}
	for k, val := range h {
		id, name, ok := strings.Cut(k, pendingSep)
		if !ok {
			id, name = "", k
		}
		p := byID[id]
		if p == nil {
			p = &pendingRevocation{id: id, fields: map[string]string{}}
			byID[id] = p
		}
		p.fields[name] = val
		p.names = append(p.names, k)
	}
	out := make([]pendingRevocation, 0, len(byID))
	for _, p := range byID {
		sort.Strings(p.names)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.fields["at"] != b.fields["at"] {
			return len(a.fields["at"]) < len(b.fields["at"]) || (len(a.fields["at"]) == len(b.fields["at"]) && a.fields["at"] < b.fields["at"])
		}
		return a.id < b.id
	})
	return out
}
