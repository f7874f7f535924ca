package youtubetest

import "time"

// Call is one request the server answered (or saw abandoned, status 499).
type Call struct {
	At     time.Time
	Op     Op
	Method string
	// Path is the URL path; queries, which carry session ids, are left
	// out.
	Path    string
	Account string
	Status  int
	// Video is the video the call made or was about, when there is one.
	Video string
	// Bytes counts media bytes the call brought.
	Bytes int64
	// Lost: the call took effect and its answer was dropped (Fault.Lost).
	Lost bool
}

// Calls returns the calls so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.calls.All() }

// Count counts the calls of op answered with status (any status when
// status is 0).
func (s *Server) Count(op Op, status int) int {
	return s.calls.Count(func(c Call) bool { return c.Op == op && (status == 0 || c.Status == status) })
}
