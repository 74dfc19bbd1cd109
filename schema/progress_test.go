package schema

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestDiscoverReportsProgress: a refresh's listener, and one that joins the
// refresh while it runs, see the counts grow up to the snapshot's.
func TestDiscoverReportsProgress(t *testing.T) {
	d, _ := sandboxDiscoverer(t)
	store := NewStore(nil, "demo")
	type seen struct {
		mu   sync.Mutex
		all  []Progress
		last Progress
	}
	listener := func(s *seen) func(Progress) {
		return func(p Progress) {
			s.mu.Lock()
			s.all = append(s.all, p)
			s.last = p
			s.mu.Unlock()
		}
	}
	var first, joiner seen
	// The first refresh's discovery waits until the second caller has
	// joined it.
	joined := make(chan struct{})
	discover := func(ctx context.Context) (*Snapshot, error) {
		<-joined
		return d.Discover(ctx)
	}
	var snap *Snapshot
	var wg sync.WaitGroup
	wg.Go(func() {
		var err error
		if snap, err = store.Refresh(WithProgress(context.Background(), listener(&first)), discover); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		for {
			store.mu.Lock()
			n := 0
			if store.running != nil {
				n = store.running.waiters
			}
			store.mu.Unlock()
			if n == 1 {
				close(joined)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	for {
		store.mu.Lock()
		running := store.running != nil
		store.mu.Unlock()
		if running {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := store.Refresh(WithProgress(context.Background(), listener(&joiner)), d.Discover); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if snap == nil {
		t.FailNow()
	}
	want := Progress{
		Projects: len(snap.Jira.Projects), Fields: len(snap.CustomFields()), Priorities: len(snap.Jira.Priorities),
		LinkTypes: len(snap.Jira.LinkTypes), Spaces: len(snap.Confluence.Spaces),
	}
	for _, tc := range []struct {
		name string
		s    *seen
	}{{"the refresh's listener", &first}, {"the joiner", &joiner}} {
		got := tc.s.last
		if got.Projects != want.Projects || got.Fields != want.Fields || got.Priorities != want.Priorities ||
			got.LinkTypes != want.LinkTypes || got.Spaces != want.Spaces || got.Total == 0 || got.Done != got.Total {
			t.Errorf("%s ends at %+v, want the snapshot's counts %+v with every step done", tc.name, got, want)
		}
		for i := 1; i < len(tc.s.all); i++ {
			if a, b := tc.s.all[i-1], tc.s.all[i]; b.Done < a.Done || b.Projects < a.Projects || b.Spaces < a.Spaces {
				t.Errorf("%s went backwards: %+v then %+v", tc.name, a, b)
			}
		}
	}
	if len(first.all) < 5 {
		t.Errorf("the listener heard %d updates; want one per count at least", len(first.all))
	}
}
