// Package sandboxtest is the sandbox platform for tests, as httptest is
// to net/http: New starts a sandbox on a loopback address, and the test
// injects faults and reads what it saw. The server itself is package
// sandboxserver, a product feature (`herald sandbox`, `herald demo`);
// this package only names it for tests, so that test code stays out of
// the production binary.
//
//	srv := sandboxtest.New()
//	defer srv.Close()
//	srv.FailRef("post-1", 2, sandboxtest.Fault{Status: 503})
//	// ... run the worker against srv.URL() ...
//	if n := srv.Published("post-1"); n != 1 {
//		t.Errorf("published %d times, want 1", n)
//	}
package sandboxtest

import "github.com/heraldhq/herald/publishers/sandbox/sandboxserver"

// The sandbox's types, under the names tests know.
type (
	Server  = sandboxserver.Server
	Fault   = sandboxserver.Fault
	Call    = sandboxserver.Call
	Post    = sandboxserver.Post
	Media   = sandboxserver.Media
	Stats   = sandboxserver.Stats
	Comment = sandboxserver.Comment
)

// CommentRef is the ref of the comment calls on the post of ref, for
// FailRef.
func CommentRef(ref string) string { return sandboxserver.CommentRef(ref) }

// MaxTextLength is the longest text the sandbox takes.
const MaxTextLength = sandboxserver.MaxTextLength

// New starts a sandbox on a loopback address. The caller must Close it.
func New() *Server { return sandboxserver.New() }

// NewAt starts a sandbox listening on addr. The caller must Close it.
func NewAt(addr string) (*Server, error) { return sandboxserver.NewAt(addr) }
