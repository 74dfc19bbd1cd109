package schema

import (
	"context"
	"sync"
)

// Progress is what a discovery in flight has found so far: the counts
// grow as the site's answers come in, and Done of Total are the
// per-project steps (workflow statuses, create-screen fields) once the
// projects are known.
type Progress struct {
	Projects, IssueTypes, Fields, Priorities, LinkTypes, Spaces int
	// Done and Total count the per-project steps.
	Done, Total int
}

type progressKey struct{}

// WithProgress returns a context under which schema discovery
// (Discoverer.Discover, directly or through Store.Refresh, also when the
// refresh joins one already running) calls fn with its progress each time
// a count changes, as httptrace does for HTTP requests. fn is called from
// discovery's goroutines, one call at a time, and must return quickly.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, &tracker{fns: []func(Progress){fn}})
}

// tracker fans one discovery's progress out to its listeners.
type tracker struct {
	mu  sync.Mutex
	p   Progress
	fns []func(Progress)
}

// trackerOf returns the context's tracker, nil when nobody listens.
func trackerOf(ctx context.Context) *tracker {
	t, _ := ctx.Value(progressKey{}).(*tracker)
	return t
}

// listen adds the listeners of other to t and tells them where t is.
func (t *tracker) listen(other *tracker) {
	if t == nil || other == nil {
		return
	}
	other.mu.Lock()
	fns := other.fns
	other.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fns = append(t.fns, fns...)
	for _, fn := range fns {
		fn(t.p)
	}
}

// update changes the counts with f and tells the listeners. A nil tracker
// does nothing.
func (t *tracker) update(f func(*Progress)) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.p)
	for _, fn := range t.fns {
		fn(t.p)
	}
}
