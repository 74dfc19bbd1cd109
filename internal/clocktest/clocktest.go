// Package clocktest is a fake clock for tests of code that waits: the REST
// client's retry and limiter (atlassian.WithClock) and the sandbox's
// latency (sandbox.WithClock, sandbox.WithSleep). Sleep returns at once,
// moves the clock on by the wait and records it, so a test asserts the
// exact waits instead of timing them.
package clocktest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock is a fake clock. Its time moves only by Sleep and Advance. It is
// safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	onSleep func(d time.Duration)
}

// New returns a clock that reads start until it is moved.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// OnSleep calls fn (outside the clock's lock) at the start of every Sleep
// with a positive wait, before the clock moves; a test uses it to act
// while the code under test is waiting, e.g. to cancel its context.
func (c *Clock) OnSleep(fn func(d time.Duration)) {
	c.mu.Lock()
	c.onSleep = fn
	c.mu.Unlock()
}

// Sleep records d and moves the clock on by d, at once. Like a real sleep
// it returns ctx.Err() when ctx is done (before or, through OnSleep,
// during the wait), and then the clock does not move. A d of zero or less
// is not recorded.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	fn := c.onSleep
	c.mu.Unlock()
	if fn != nil {
		fn(d)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Sleeps returns the waits asked of Sleep so far, in order.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}
