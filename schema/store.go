package schema

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// DiscoverFunc discovers a fresh snapshot. Discover (with real clients) is
// the usual one; tests and the sandbox may pass their own.
type DiscoverFunc func(ctx context.Context) (*Snapshot, error)

// Snapshots keeps one snapshot per connection: the bbolt Cache in the data
// directory, or a database shared by several replicas (package pgstore).
type Snapshots interface {
	// Load returns the connection's snapshot, or ErrNoSnapshot.
	Load(connection string) (*Snapshot, error)
	// Save stores the snapshot under its connection, replacing any older one.
	Save(s *Snapshot) error
	// Delete forgets the connection's snapshot.
	Delete(connection string) error
}

// Watcher is a Snapshots shared by several processes that can tell when
// another process saved a newer snapshot of a connection.
type Watcher interface {
	// Watch calls changed after another process saved a newer snapshot of
	// connection, until ctx ends.
	Watch(ctx context.Context, connection string, changed func())
}

// Store holds one connection's current snapshot in memory. Readers call
// Current without locking; a refresh builds a whole new snapshot and swaps
// it in atomically, then tells the subscribers.
type Store struct {
	cache      Snapshots
	connection string
	cur        atomic.Pointer[Snapshot]

	mu      sync.Mutex // guards running and subs
	running *refresh
	subs    []func(*Snapshot)
	// fields remembers create-screen fields read on demand for the current
	// snapshot, keyed "PROJECT/issueTypeID"; a new snapshot clears it.
	fields sync.Map
}

// refresh is one discovery in flight; concurrent callers share it.
type refresh struct {
	done     chan struct{}
	progress *tracker // its listeners: the caller's and the joiners'
	waiters  int      // callers that joined, guarded by Store.mu
	snap     *Snapshot
	err      error
}

// NewStore returns the store of a connection whose snapshots are kept in
// cache (which may be nil for a memory-only store).
func NewStore(cache Snapshots, connection string) *Store {
	return &Store{cache: cache, connection: connection}
}

// Current returns the snapshot in use, or nil before any was loaded.
func (s *Store) Current() *Snapshot { return s.cur.Load() }

// Load reads the cached snapshot into memory. ErrNoSnapshot means there is
// nothing usable cached and a refresh is needed.
func (s *Store) Load() (*Snapshot, error) {
	if s.cache == nil {
		return nil, ErrNoSnapshot
	}
	snap, err := s.cache.Load(s.connection)
	if err != nil {
		return nil, err
	}
	s.set(snap)
	return snap, nil
}

// Follow keeps the store in step with snapshots other processes save (a
// refresh on another replica), when its Snapshots is a Watcher: each newer
// snapshot is loaded and swapped in, and the subscribers are told (so the
// tool layer re-describes its tools and sends tools/list_changed). It
// returns at once; following ends with ctx. It reports whether the
// store's Snapshots can be followed.
func (s *Store) Follow(ctx context.Context) bool {
	w, ok := s.cache.(Watcher)
	if !ok {
		return false
	}
	go w.Watch(ctx, s.connection, func() { _, _ = s.Load() })
	return true
}

// Subscribe registers fn to be called with every new snapshot after it is
// swapped in.
func (s *Store) Subscribe(fn func(*Snapshot)) {
	s.mu.Lock()
	s.subs = append(s.subs, fn)
	s.mu.Unlock()
}

// Refresh runs discover, caches and swaps in its snapshot. A refresh already
// running for this store is joined rather than started twice. A discovery
// error keeps the current snapshot.
func (s *Store) Refresh(ctx context.Context, discover DiscoverFunc) (*Snapshot, error) {
	s.mu.Lock()
	if r := s.running; r != nil {
		r.waiters++
		s.mu.Unlock()
		r.progress.listen(trackerOf(ctx))
		select {
		case <-r.done:
			return r.snap, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := &refresh{done: make(chan struct{}), progress: &tracker{}}
	r.progress.listen(trackerOf(ctx))
	s.running = r
	s.mu.Unlock()

	r.snap, r.err = discover(context.WithValue(ctx, progressKey{}, r.progress))
	if r.err == nil && r.snap == nil {
		r.err = errors.New("schema: discovery returned no snapshot")
	}
	if r.err == nil {
		r.snap.Connection = s.connection
		if s.cache != nil {
			if err := s.cache.Save(r.snap); err != nil {
				r.snap.Failures = append(r.snap.Failures, Failure{Scope: "cache", Reason: err.Error()})
			}
		}
		s.set(r.snap)
	}

	s.mu.Lock()
	s.running = nil
	s.mu.Unlock()
	close(r.done)
	return r.snap, r.err
}

func (s *Store) set(snap *Snapshot) {
	s.cur.Store(snap)
	s.fields.Clear()
	s.mu.Lock()
	subs := slices.Clone(s.subs)
	s.mu.Unlock()
	for _, fn := range subs {
		fn(snap)
	}
}

// FetchFields reads the create-screen fields of an issue type in a project
// (Discoverer.CreateFields is one).
type FetchFields func(ctx context.Context, projectKey, issueTypeID string) ([]*FieldMeta, error)

// CreateFields returns the create-screen fields of t in p: the discovered
// ones, or else read once with fetch and remembered until the next
// snapshot.
func (s *Store) CreateFields(ctx context.Context, p *Project, t *IssueType, fetch FetchFields) ([]*FieldMeta, error) {
	if t.Fields != nil {
		return t.Fields, nil
	}
	key := p.Key + "/" + t.ID
	if v, ok := s.fields.Load(key); ok {
		return v.([]*FieldMeta), nil
	}
	fields, err := fetch(ctx, p.Key, t.ID)
	if err != nil {
		return nil, err
	}
	s.fields.Store(key, fields)
	return fields, nil
}
