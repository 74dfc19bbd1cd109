package groupcommit

// Queued returns how many items wait for a write.
func Queued[T any](b *Batcher[T]) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}
