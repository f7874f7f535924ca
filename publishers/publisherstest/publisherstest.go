// Package publisherstest holds what every platform publisher's tests
// need: Checkpoints kept in memory, as the attempts of one post share
// them, and a fake clock whose Sleep moves time instead of waiting; and
// for the worker's tests, Platform, a scriptable publisher without the
// draft idempotency that would hide a duplicate.
package publisherstest

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Checkpoints is publishers.Checkpoints in memory. OnSave, if set, hears
// every save after it is made (a test "crashes" the worker there).
type Checkpoints struct {
	mu     sync.Mutex
	m      map[string]string
	OnSave func(name, value string)
}

var _ publishers.Checkpoints = (*Checkpoints)(nil)

// Get implements publishers.Checkpoints.
func (c *Checkpoints) Get(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// Save implements publishers.Checkpoints.
func (c *Checkpoints) Save(_ context.Context, name, value string) error {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[name] = value
	onSave := c.OnSave
	c.mu.Unlock()
	if onSave != nil {
		onSave(name, value)
	}
	return nil
}

// Saved returns a copy of everything saved.
func (c *Checkpoints) Saved() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// Clock is a fake clock: Sleep moves it instead of waiting.
type Clock struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleep moves the clock on by d at once, unless ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.slept += d
	c.mu.Unlock()
	return nil
}

// Slept is how long Sleep was asked to wait in all.
func (c *Clock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}
