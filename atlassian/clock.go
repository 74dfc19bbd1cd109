package atlassian

import (
	"context"
	"time"
)

// Clock is the time a client reads and waits on: the retry loop's backoff
// and Retry-After waits, quota resets and pauses, and the limiter's
// buckets. The default, SystemClock, is the wall clock; tests give a fake
// one (WithClock) and observe every wait exactly instead of timing it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	// A d of zero or less returns ctx.Err() at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock: time.Now, and a timer for Sleep.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
