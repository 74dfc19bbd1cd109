package tokenstore

import (
	"context"
	"time"
)

// Record is a connection as a Backend keeps it: the public part and the
// secrets sealed by the Store (AES-256-GCM, bound to the connection's
// name). A backend never sees a secret in the clear.
type Record struct {
	Connection
	// Sealed holds the sealed Secrets.
	Sealed []byte `json:"sealed"`
}

// Backend is where a Store keeps its records and how it serialises
// refreshes. The embedded default is a bbolt file in the data directory
// (Open); a database shared by several replicas implements it too (package
// pgstore), so one Store, one TokenSource and one conformance suite serve
// both.
type Backend interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in one read-write transaction, durable when Update
	// returns nil. An error from fn discards its writes.
	Update(ctx context.Context, fn func(Tx) error) error
	// Locked runs fn while holding the connection's refresh lock, which
	// spans goroutines, processes and, for a shared backend, machines. It
	// waits at most timeout for the lock and then fails with ErrBusy. The
	// lock is released when Locked returns, or when the holder dies. Writes
	// through fn's Tx are durable when Locked returns nil; a Store reads
	// and writes the connection inside fn, so whatever another holder
	// wrote before is seen.
	Locked(ctx context.Context, name string, timeout time.Duration, fn func(Tx) error) error
	// Location names where the records live, for messages (a file path,
	// or a database without its password).
	Location() string
	// Close releases the backend's resources.
	Close() error
}

// Tx is one transaction of a Backend.
type Tx interface {
	// Get returns the named record, or (nil, nil) when there is none.
	Get(name string) (*Record, error)
	// Put stores r under r.Name, replacing any record of that name.
	Put(r *Record) error
	// Delete removes the named record and reports whether it existed.
	Delete(name string) (bool, error)
	// List returns every record (in any order).
	List() ([]*Record, error)
	// KeyCheck returns the value sealed with key version ver that lets a
	// Store tell a wrong key from a tampered record, or nil.
	KeyCheck(ver byte) ([]byte, error)
	// PutKeyCheck stores the key check of key version ver.
	PutKeyCheck(ver byte, sealed []byte) error
}
