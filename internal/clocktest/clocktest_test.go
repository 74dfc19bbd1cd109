package clocktest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		waits      []time.Duration
		cancelOn   bool // OnSleep cancels the context
		wantErr    error
		wantSleeps []time.Duration
		wantNow    time.Time
	}{
		{"sleeps move the clock", context.Background(), []time.Duration{time.Second, 2 * time.Second}, false, nil,
			[]time.Duration{time.Second, 2 * time.Second}, start.Add(3 * time.Second)},
		{"zero and negative waits are not recorded", context.Background(), []time.Duration{0, -time.Second}, false, nil,
			nil, start},
		{"a done context stops the clock", canceled, []time.Duration{time.Minute}, false, context.Canceled,
			[]time.Duration{time.Minute}, start},
		{"cancelled during the wait", nil, []time.Duration{time.Minute}, true, context.Canceled,
			[]time.Duration{time.Minute}, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(start)
			ctx := tt.ctx
			if tt.cancelOn {
				var stop context.CancelFunc
				ctx, stop = context.WithCancel(context.Background())
				defer stop()
				c.OnSleep(func(time.Duration) { stop() })
			}
			var err error
			for _, d := range tt.waits {
				if e := c.Sleep(ctx, d); e != nil {
					err = e
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if got := c.Sleeps(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("Sleeps() = %v, want %v", got, tt.wantSleeps)
			}
			if got := c.Now(); !got.Equal(tt.wantNow) {
				t.Errorf("Now() = %v, want %v", got, tt.wantNow)
			}
		})
	}
}
