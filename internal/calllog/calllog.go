// Package calllog is the call log every platform fake keeps: what it was
// asked, in the order it answered, for tests to count and inspect.
package calllog

import "sync"

// Log is a fake's calls of type C. The zero Log is empty and ready; it is
// safe for concurrent use.
type Log[C any] struct {
	mu    sync.Mutex
	calls []C
}

// Add records c.
func (l *Log[C]) Add(c C) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

// All returns a copy of the calls so far, oldest first.
func (l *Log[C]) All() []C {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]C(nil), l.calls...)
}

// Count counts the calls match accepts.
func (l *Log[C]) Count(match func(C) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		if match(c) {
			n++
		}
	}
	return n
}
