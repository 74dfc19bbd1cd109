// Package groupcommit makes concurrent writers share one durable write
// (group commit): the audit file log shares one write and fsync, the
// PostgreSQL audit table one INSERT and COMMIT.
package groupcommit

import (
	"errors"
	"sync"
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("closed")

// Batcher queues items and writes them in batches. Submit returns once
// the batch holding its item was written: the first caller to find no
// write running writes every queued item (in batches of at most Max),
// while the others wait for their batch. No goroutine of its own runs:
// with one writer at a time, each item costs one write's share.
type Batcher[T any] struct {
	max   int
	write func(batch []T) error

	mu       sync.Mutex
	idle     sync.Cond    // signalled when a run of writes ends
	queue    []T          // queued items
	done     []chan error // each queued item's answer, in step with queue
	flushing bool
	closed   bool
	failed   error
	items    int64 // written
	batches  int64 // successful writes
}

// New returns a Batcher calling write with each batch, never two at
// once; max bounds a batch (0: no bound).
func New[T any](max int, write func(batch []T) error) *Batcher[T] {
	b := &Batcher[T]{max: max, write: write}
	b.idle.L = &b.mu
	return b
}

// Submit queues v and returns the error of the write that held it, or
// ErrClosed after Close.
func (b *Batcher[T]) Submit(v T) error {
	done := make(chan error, 1)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.queue, b.done = append(b.queue, v), append(b.done, done)
	if b.flushing {
		b.mu.Unlock()
		return <-done
	}
	b.flushing = true
	for len(b.queue) > 0 {
		batch, dones := b.queue, b.done
		if b.max > 0 && len(batch) > b.max {
			batch, b.queue = batch[:b.max:b.max], batch[b.max:]
			dones, b.done = dones[:b.max:b.max], dones[b.max:]
		} else {
			b.queue, b.done = nil, nil
		}
		b.mu.Unlock()
		err := b.write(batch)
		for _, d := range dones {
			d <- err
		}
		b.mu.Lock()
		b.failed = err
		if err == nil {
			b.items += int64(len(batch))
			b.batches++
		}
	}
	b.flushing = false
	b.idle.Broadcast()
	b.mu.Unlock()
	return <-done
}

// Failed returns the error of the last write, or nil once one succeeded.
func (b *Batcher[T]) Failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed
}

// Stats returns how many items and batches were written (items over
// batches is the mean batch size).
func (b *Batcher[T]) Stats() (items, batches int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.items, b.batches
}

// Wait returns once no write is running.
func (b *Batcher[T]) Wait() {
	b.mu.Lock()
	for b.flushing {
		b.idle.Wait()
	}
	b.mu.Unlock()
}

// Close refuses further items and waits for the writes of those queued.
func (b *Batcher[T]) Close() {
	b.mu.Lock()
	b.closed = true
	for b.flushing {
		b.idle.Wait()
	}
	b.mu.Unlock()
}
