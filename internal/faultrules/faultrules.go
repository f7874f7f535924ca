// Package faultrules is the fault injection every platform fake shares:
// "fail the next n calls to this endpoint with that fault" (Rules apply
// in the order they were added, at most one per call), and injected
// latency (Delay).
package faultrules

import "sync"

// Rules holds the rules of one fake. K names what a call is (an
// endpoint, an operation, a post); its zero value in a rule means any
// call. F is the fake's description of a failure. The zero Rules is ready
// to use and safe for concurrent use.
type Rules[K comparable, F any] struct {
	mu    sync.Mutex
	rules []*rule[K, F]
}

type rule[K comparable, F any] struct {
	key   K
	n     int // calls left; < 0 for ever
	fault F
}

// Add makes the next n calls with key (the zero key: any call) fail with
// f; n < 0 fails them until Add(key, 0, ...) clears key's rules.
func (r *Rules[K, F]) Add(key K, n int, f F) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n == 0 {
		kept := r.rules[:0]
		for _, x := range r.rules {
			if x.key != key {
				kept = append(kept, x)
			}
		}
		r.rules = kept
		return
	}
	r.rules = append(r.rules, &rule[K, F]{key: key, n: n, fault: f})
}

// Take returns the fault a call with key runs into, using up one of its
// rule's calls.
func (r *Rules[K, F]) Take(key K) (F, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var zero K
	for i, x := range r.rules {
		if x.key != zero && x.key != key {
			continue
		}
		if x.n > 0 {
			x.n--
			if x.n == 0 {
				r.rules = append(r.rules[:i:i], r.rules[i+1:]...)
			}
		}
		return x.fault, true
	}
	var none F
	return none, false
}
