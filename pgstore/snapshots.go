package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Snapshots returns the schema snapshots as a schema.Snapshots.
func (db *DB) Snapshots() *Snapshots {
	return &Snapshots{db: db, timeout: 15 * time.Second, Interval: 2 * time.Second, known: map[string]int64{}}
}

// Snapshots keeps one schema snapshot per connection in the
// schema_snapshots table, in the schema cache's own encoding. Every save
// raises the row's version and sends a notification, which is how other
// replicas notice a refresh.
type Snapshots struct {
	db      *DB
	timeout time.Duration
	// Interval is how often Watch checks the version (default 2s).
	Interval time.Duration

	mu    sync.Mutex
	known map[string]int64 // the version this process last saved or loaded
	// saving is held by Save from its transaction to recording the
	// version, and by Watch to compare: the notification of this
	// process's own save arrives at commit, before Save recorded it.
	saving sync.Mutex
}

func (s *Snapshots) setKnown(connection string, ver int64) {
	s.mu.Lock()
	if ver > s.known[connection] {
		s.known[connection] = ver
	}
	s.mu.Unlock()
}

// Watch calls changed whenever another process saved a snapshot of the
// connection newer than the one this process last saved or loaded, until
// ctx ends. It checks the version when the save's notification arrives
// (LISTEN/NOTIFY: milliseconds) and every Interval (the fallback while
// the listener is down); while the database is unreachable it keeps
// trying.
func (s *Snapshots) Watch(ctx context.Context, connection string, changed func()) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	notified, stop := s.db.listen.changes(topicSchema + connection)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-notified:
		}
		qctx, cancel := context.WithTimeout(ctx, s.timeout)
		ver, err := s.Version(qctx, connection)
		cancel()
		if err != nil {
			continue
		}
		s.saving.Lock()
		s.mu.Lock()
		newer := ver > s.known[connection]
		s.mu.Unlock()
		s.saving.Unlock()
		if newer {
			changed()
			s.setKnown(connection, ver) // even when the load failed: do not spin
		}
	}
}

var _ schema.Snapshots = (*Snapshots)(nil)

// Load returns the connection's snapshot, or schema.ErrNoSnapshot.
func (s *Snapshots) Load(connection string) (*schema.Snapshot, error) {
	snap, _, err := s.LoadVersion(connection)
	return snap, err
}

// LoadVersion returns the connection's snapshot and its version.
func (s *Snapshots) LoadVersion(connection string) (*schema.Snapshot, int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	var (
		raw []byte
		ver int64
	)
	err := s.db.pool.QueryRow(ctx, "SELECT snapshot, version FROM schema_snapshots WHERE connection = $1", connection).Scan(&raw, &ver)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, schema.ErrNoSnapshot
	}
	if err != nil {
		return nil, 0, fmt.Errorf("schema store: %v", redactErr(err))
	}
	s.setKnown(connection, ver)
	snap, err := schema.UnmarshalSnapshot(raw)
	if err != nil && !errors.Is(err, schema.ErrNoSnapshot) {
		return nil, 0, fmt.Errorf("schema store: snapshot of %q is unreadable (%v); run 'atlassian-mcp schema refresh'", connection, err)
	}
	return snap, ver, err
}

// Version returns the version of the connection's snapshot (0: none).
func (s *Snapshots) Version(ctx context.Context, connection string) (int64, error) {
	var ver int64
	err := s.db.pool.QueryRow(ctx, "SELECT version FROM schema_snapshots WHERE connection = $1", connection).Scan(&ver)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("schema store: %v", redactErr(err))
	}
	return ver, nil
}

// Save stores the snapshot under its connection with the next version
// and notifies the other replicas in the same transaction.
func (s *Snapshots) Save(snap *schema.Snapshot) error {
	raw, err := schema.MarshalSnapshot(snap)
	if err != nil {
		return fmt.Errorf("schema store: encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.saving.Lock()
	defer s.saving.Unlock()
	var ver int64
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO schema_snapshots (connection, version, snapshot, saved_at) VALUES ($1, 1, $2, now())
			ON CONFLICT (connection) DO UPDATE SET version = schema_snapshots.version + 1, snapshot = EXCLUDED.snapshot, saved_at = now()
			RETURNING version`,
			snap.Connection, raw).Scan(&ver)
		if err != nil {
			return err
		}
		// The other replicas hear of it at commit.
		return s.db.notifyTx(ctx, tx, topicSchema+snap.Connection)
	})
	if err != nil {
		return fmt.Errorf("schema store: %v", redactErr(err))
	}
	s.setKnown(snap.Connection, ver)
	return nil
}

// Delete forgets the connection's snapshot.
func (s *Snapshots) Delete(connection string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if _, err := s.db.pool.Exec(ctx, "DELETE FROM schema_snapshots WHERE connection = $1", connection); err != nil {
		return fmt.Errorf("schema store: %v", redactErr(err))
	}
	return nil
}
