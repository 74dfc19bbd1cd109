package tokenstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets and keys in the bbolt file.
var (
	bucketConnections = []byte("connections")
	bucketMeta        = []byte("meta")
	keyCheckPrefix    = "keycheck/"
)

// boltBackend keeps records in a bbolt file in the data directory. It opens
// the file for one transaction and closes it again, so several processes
// share it; the refresh lock is an flock on a per-connection lock file.
type boltBackend struct {
	dir         string
	path        string
	openTimeout time.Duration
	mu          sync.Mutex // one open database per process at a time
}

func newBoltBackend(dir string, openTimeout time.Duration) *boltBackend {
	return &boltBackend{dir: dir, path: filepath.Join(dir, DBFileName), openTimeout: openTimeout}
}

func (b *boltBackend) Location() string { return b.path }

func (b *boltBackend) Close() error { return nil }

func (b *boltBackend) View(_ context.Context, fn func(Tx) error) error {
	err := b.withDB(false, func(tx *bolt.Tx) error { return fn(&boltTx{b: b, tx: tx}) })
	if errors.Is(err, errNoDB) {
		return fn(emptyTx{})
	}
	return err
}

func (b *boltBackend) Update(_ context.Context, fn func(Tx) error) error {
	var deleted []string
	err := b.withDB(true, func(tx *bolt.Tx) error {
		btx := &boltTx{b: b, tx: tx}
		if err := fn(btx); err != nil {
			return err
		}
		deleted = btx.deleted
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range deleted {
		if err := os.Remove(b.lockPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Locked holds the connection's lock file and gives fn a Tx whose every
// call is its own short bbolt transaction: the file is never held open
// while fn waits for the token endpoint, so other processes keep reading.
func (b *boltBackend) Locked(ctx context.Context, name string, timeout time.Duration, fn func(Tx) error) error {
	unlock, err := b.lockConnection(ctx, name, timeout)
	if err != nil {
		return err
	}
	defer unlock()
	return fn(autoTx{b: b})
}

// errNoDB is returned by read transactions when the database file does not
// exist yet.
var errNoDB = errors.New("no token database")

// withDB opens the database for one transaction and closes it again.
// Panics from a damaged file are turned into ErrDamaged.
func (b *boltBackend) withDB(write bool, fn func(tx *bolt.Tx) error) (err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !write {
		if _, err := os.Stat(b.path); errors.Is(err, os.ErrNotExist) {
			return errNoDB
		}
	}
	if err := statPrivate(b.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = b.damaged(fmt.Errorf("%v", r))
		}
	}()
	db, err := bolt.Open(b.path, 0o600, &bolt.Options{Timeout: b.openTimeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return fmt.Errorf("%w: another process kept %s locked for %s; try again", ErrBusy, b.path, b.openTimeout)
		}
		if os.IsPermission(err) {
			return fmt.Errorf("open token database: %w", err)
		}
		return b.damaged(err)
	}
	defer db.Close()
	if write {
		return db.Update(fn)
	}
	return db.View(fn)
}

func (b *boltBackend) damaged(cause error) error {
	return fmt.Errorf("%w: %s cannot be read (%v); move it aside and run `atlassian-mcp connect` again", ErrDamaged, b.path, cause)
}

// lockPath is the per-connection refresh lock file.
func (b *boltBackend) lockPath(name string) string {
	return filepath.Join(b.dir, name+".refresh.lock")
}

// lockConnection takes the connection's refresh lock, an flock on its lock
// file that spans processes, waiting up to timeout.
func (b *boltBackend) lockConnection(ctx context.Context, name string, timeout time.Duration) (func(), error) {
	path := b.lockPath(name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("refresh lock: %w", err)
	}
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("refresh lock %s: %w", path, err)
		}
		if ok {
			return func() { _ = unlockFile(f); _ = f.Close() }, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: another process has been refreshing connection %q for over %s (lock %s)", ErrBusy, name, timeout, path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 20*time.Millisecond)
	}
}

// boltTx is a Tx over one bbolt transaction.
type boltTx struct {
	b       *boltBackend
	tx      *bolt.Tx
	deleted []string
}

func (t *boltTx) Get(name string) (*Record, error) {
	bk := t.tx.Bucket(bucketConnections)
	if bk == nil {
		return nil, nil
	}
	raw := bk.Get([]byte(name))
	if raw == nil {
		return nil, nil
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, t.b.damaged(fmt.Errorf("connection %q: %v", name, err))
	}
	return &r, nil
}

func (t *boltTx) Put(r *Record) error {
	bk, err := t.tx.CreateBucketIfNotExists(bucketConnections)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return bk.Put([]byte(r.Name), raw)
}

func (t *boltTx) Delete(name string) (bool, error) {
	bk := t.tx.Bucket(bucketConnections)
	if bk == nil || bk.Get([]byte(name)) == nil {
		return false, nil
	}
	t.deleted = append(t.deleted, name)
	return true, bk.Delete([]byte(name))
}

func (t *boltTx) List() ([]*Record, error) {
	bk := t.tx.Bucket(bucketConnections)
	if bk == nil {
		return nil, nil
	}
	var out []*Record
	err := bk.ForEach(func(k, v []byte) error {
		var r Record
		if err := json.Unmarshal(v, &r); err != nil {
			return t.b.damaged(fmt.Errorf("connection %q: %v", k, err))
		}
		out = append(out, &r)
		return nil
	})
	return out, err
}

func (t *boltTx) KeyCheck(ver byte) ([]byte, error) {
	meta := t.tx.Bucket(bucketMeta)
	if meta == nil {
		return nil, nil
	}
	v := meta.Get([]byte(fmt.Sprintf("%s%d", keyCheckPrefix, ver)))
	if v == nil {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

func (t *boltTx) PutKeyCheck(ver byte, sealed []byte) error {
	meta, err := t.tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put([]byte(fmt.Sprintf("%s%d", keyCheckPrefix, ver)), sealed)
}

// autoTx runs each call in its own bbolt transaction (inside Locked).
type autoTx struct{ b *boltBackend }

func (a autoTx) view(fn func(Tx) error) error { return a.b.View(context.Background(), fn) }
func (a autoTx) update(fn func(Tx) error) error {
	return a.b.Update(context.Background(), fn)
}

func (a autoTx) Get(name string) (r *Record, err error) {
	err = a.view(func(tx Tx) error { r, err = tx.Get(name); return err })
	return r, err
}

func (a autoTx) Put(r *Record) error { return a.update(func(tx Tx) error { return tx.Put(r) }) }

func (a autoTx) Delete(name string) (ok bool, err error) {
	err = a.update(func(tx Tx) error { ok, err = tx.Delete(name); return err })
	return ok, err
}

func (a autoTx) List() (rs []*Record, err error) {
	err = a.view(func(tx Tx) error { rs, err = tx.List(); return err })
	return rs, err
}

func (a autoTx) KeyCheck(ver byte) (v []byte, err error) {
	err = a.view(func(tx Tx) error { v, err = tx.KeyCheck(ver); return err })
	return v, err
}

func (a autoTx) PutKeyCheck(ver byte, sealed []byte) error {
	return a.update(func(tx Tx) error { return tx.PutKeyCheck(ver, sealed) })
}

// emptyTx reads a database that does not exist yet.
type emptyTx struct{}

func (emptyTx) Get(string) (*Record, error)   { return nil, nil }
func (emptyTx) Put(*Record) error             { return errors.New("tokenstore: write in a read transaction") }
func (emptyTx) Delete(string) (bool, error)   { return false, nil }
func (emptyTx) List() ([]*Record, error)      { return nil, nil }
func (emptyTx) KeyCheck(byte) ([]byte, error) { return nil, nil }
func (emptyTx) PutKeyCheck(byte, []byte) error {
	return errors.New("tokenstore: write in a read transaction")
}
