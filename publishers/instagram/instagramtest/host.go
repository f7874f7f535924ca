package instagramtest

import (
	"net/http"
	"strings"
)

// Hosts a Server can stand for. Meta's IG Container (and every IG User)
// reference, "Requirements": Business Login for Instagram uses Instagram
// User access tokens on graph.instagram.com; Facebook Login for Business
// uses Facebook User access tokens on graph.facebook.com. A token of one
// login is not valid on the other host.
const (
	HostAny       = ""                    // both kinds of token (the default)
	HostInstagram = "graph.instagram.com" // Instagram User tokens ("IG...")
	HostFacebook  = "graph.facebook.com"  // Facebook User tokens ("EAA...")
)

// SetHost makes the server stand for host: it then refuses the other
// login's tokens as the real host does, with code 190 (Invalid OAuth
// access token - Cannot parse access token).
func (s *Server) SetHost(host string) {
	s.mu.Lock()
	s.host = host
	s.mu.Unlock()
}

// wrongHost is the refusal of a token this host does not know, or ok.
func (s *Server) wrongHost(token string) (reply, bool) {
	s.mu.Lock()
	host := s.host
	s.mu.Unlock()
	switch {
	case host == HostInstagram && strings.HasPrefix(token, "EAA"),
		host == HostFacebook && strings.HasPrefix(token, "IG"):
		return fail(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token"), true
	}
	return reply{}, false
}

func (s *Server) refusesHost(token string) bool {
	_, refused := s.wrongHost(token)
	return refused
}
