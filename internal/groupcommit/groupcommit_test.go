package groupcommit_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/groupcommit"
)

// TestConcurrentSubmitsShareWrites: 200 concurrent submits are all
// written, once each, by writes that never overlap and never exceed the
// bound, and fewer writes than items when they pile up behind a slow one.
func TestConcurrentSubmitsShareWrites(t *testing.T) {
	var (
		running atomic.Int32
		mu      sync.Mutex
		seen    = map[int]int{}
		release = make(chan struct{})
	)
	first := true
	b := groupcommit.New(16, func(batch []int) error {
		if running.Add(1) != 1 {
			t.Error("two writes at once")
		}
		defer running.Add(-1)
		if len(batch) > 16 {
			t.Errorf("batch of %d, bound 16", len(batch))
		}
		if first { // hold the first write until every item is queued
			first = false
			<-release
		}
		mu.Lock()
		for _, v := range batch {
			seen[v]++
		}
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 201)
	wg.Add(1)
	go func() { defer wg.Done(); errs <- b.Submit(-1) }()
	for i := range 200 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- b.Submit(i) }()
	}
	for groupcommit.Queued(b) < 200 { // all queued behind the held write
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 200 {
		if seen[i] != 1 {
			t.Fatalf("item %d written %d times", i, seen[i])
		}
	}
	items, batches := b.Stats()
	if items != 201 || batches != 1+200/16+1 { // the held one, then 12 of 16 and one of 8
		t.Fatalf("%d items in %d batches, want 201 in %d", items, batches, 1+200/16+1)
	}
}

// TestFailureReachesTheBatchAndClears: a failed write is every item's
// answer and Failed's until a write succeeds; after Close, Submit answers
// ErrClosed.
func TestFailureReachesTheBatchAndClears(t *testing.T) {
	boom := errors.New("disk full")
	fail := true
	b := groupcommit.New(0, func([]string) error {
		if fail {
			return boom
		}
		return nil
	})
	if err := b.Submit("a"); !errors.Is(err, boom) || !errors.Is(b.Failed(), boom) {
		t.Fatalf("Submit %v, Failed %v, want %v", err, b.Failed(), boom)
	}
	fail = false
	if err := b.Submit("b"); err != nil || b.Failed() != nil {
		t.Fatalf("Submit %v, Failed %v after a good write", err, b.Failed())
	}
	b.Close()
	if err := b.Submit("c"); !errors.Is(err, groupcommit.ErrClosed) {
		t.Fatalf("Submit after Close: %v", err)
	}
}
