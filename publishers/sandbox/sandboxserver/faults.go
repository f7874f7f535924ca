package sandboxserver

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// Fault is how an API call fails.
type Fault struct {
	// Status is the HTTP status; zero means 503.
	Status int
	// RetryAfter, when positive, is sent as a Retry-After header in
	// seconds.
	RetryAfter time.Duration
	// Code and Message are the error body's; empty means a default for
	// Status (rate_limited for 429, unavailable for 5xx, invalid_post for
	// 422, invalid_token for 401).
	Code, Message string
	// LoseResponse serves the call for real (a draft is created, a post
	// published) and then drops the connection without answering: the
	// caller cannot tell whether it happened.
	LoseResponse bool
}

func (f Fault) reply() reply {
	status := f.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	code, msg := f.Code, f.Message
	if code == "" {
		code = defaultCode(status)
	}
	if msg == "" {
		msg = http.StatusText(status)
		if msg == "" {
			msg = "injected fault"
		}
	}
	rep := fail(status, code, msg)
	rep.retryAfter = f.RetryAfter
	return rep
}

func defaultCode(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status == http.StatusUnprocessableEntity:
		return "invalid_post"
	case status == http.StatusUnauthorized:
		return "invalid_token"
	case status == http.StatusNotFound:
		return "not_found"
	case status == http.StatusBadRequest:
		return "bad_request"
	case status >= 500:
		return "unavailable"
	}
	return "error"
}

// FailNext makes the next n API calls fail with f; n < 0 fails every call
// until FailNext(0, ...) clears it.
func (s *Server) FailNext(n int, f Fault) { s.addFault("", n, f) }

// FailRef makes the next n API calls about ref fail with f: draft
// creations whose body carries ref, publications and stats of its drafts
// and posts. n < 0 fails them for ever; FailRef(ref, 0, ...) clears them.
// Rules apply in the order they were added, at most one per call.
func (s *Server) FailRef(ref string, n int, f Fault) {
	if ref == "" {
		return
	}
	s.addFault(ref, n, f)
}

func (s *Server) addFault(ref string, n int, f Fault) {
	s.faults.Add(ref, n, f)
}

// SetFaultRate makes each API call fail with probability rate, with one of
// faults picked at random (seeded, for a repeatable run). Rules of
// FailNext and FailRef come first. A rate of 0 turns it off.
func (s *Server) SetFaultRate(rate float64, seed uint64, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.rateFaults = rate, faults
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// fault takes the fault a call about ref runs into, if any.
func (s *Server) fault(ref string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.ruleFault(ref); ok {
		return f, true
	}
	if s.rate > 0 && len(s.rateFaults) > 0 && s.rng.Float64() < s.rate {
		return s.rateFaults[s.rng.IntN(len(s.rateFaults))], true
	}
	return Fault{}, false
}

// ruleFault takes the first FailNext/FailRef rule that matches ref.
func (s *Server) ruleFault(ref string) (Fault, bool) {
	return s.faults.Take(ref)
}

// SetLatency delays every API call by d, or by nothing when d <= 0. A call
// whose caller gives up while it waits does nothing and is recorded with
// status 499.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}
