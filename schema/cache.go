package schema

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CacheFile is the name of the schema cache in the data directory.
const CacheFile = "schema.db"

var snapshotsBucket = []byte("snapshots")

// ErrNoSnapshot is returned by Cache.Load when nothing usable is cached for
// a connection: never discovered, or cached in an older format (which is
// rediscovered rather than misread).
var ErrNoSnapshot = errors.New("schema: no cached snapshot")

// Cache keeps snapshots in a bbolt file, one entry per connection. The file
// is opened for one transaction and closed again, never held, so several
// processes (stdio servers, CLI commands) share it.
type Cache struct {
	path    string
	timeout time.Duration
}

// NewCache returns the cache kept in dataDir.
func NewCache(dataDir string) *Cache {
	return &Cache{path: filepath.Join(dataDir, CacheFile), timeout: 5 * time.Second}
}

// Path is the cache file's path.
func (c *Cache) Path() string { return c.path }

// cached is the encoded form: the version comes first so an old format is
// recognised before its body is decoded.
type cached struct {
	FormatVersion int
	Snapshot      []byte
}

func (c *Cache) open(readOnly bool) (*bolt.DB, error) {
	if readOnly {
		if _, err := os.Stat(c.path); errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoSnapshot
		}
	} else if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return nil, fmt.Errorf("schema cache: %w", err)
	}
	db, err := bolt.Open(c.path, 0o600, &bolt.Options{Timeout: c.timeout, ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("schema cache %s: %w (delete the file to rediscover)", c.path, err)
	}
	return db, nil
}

// Load returns the connection's cached snapshot, or ErrNoSnapshot.
func (c *Cache) Load(connection string) (*Snapshot, error) {
	db, err := c.open(true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var raw []byte
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(snapshotsBucket)
		if b == nil {
			return nil
		}
		raw = bytes.Clone(b.Get([]byte(connection)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema cache %s: %w", c.path, err)
	}
	if raw == nil {
		return nil, ErrNoSnapshot
	}
	var env cached
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&env); err != nil {
		return nil, fmt.Errorf("schema cache %s: entry for %q is unreadable (%v); run 'atlassian-mcp schema refresh'", c.path, connection, err)
	}
	if env.FormatVersion != FormatVersion {
		return nil, ErrNoSnapshot
	}
	s := new(Snapshot)
	if err := gob.NewDecoder(bytes.NewReader(env.Snapshot)).Decode(s); err != nil {
		return nil, fmt.Errorf("schema cache %s: entry for %q is unreadable (%v); run 'atlassian-mcp schema refresh'", c.path, connection, err)
	}
	return s, nil
}

// Save stores the snapshot under its connection, replacing any older one.
func (c *Cache) Save(s *Snapshot) error {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(s); err != nil {
		return fmt.Errorf("schema cache: encode: %w", err)
	}
	var raw bytes.Buffer
	if err := gob.NewEncoder(&raw).Encode(cached{FormatVersion: FormatVersion, Snapshot: body.Bytes()}); err != nil {
		return fmt.Errorf("schema cache: encode: %w", err)
	}
	db, err := c.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(snapshotsBucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(s.Connection), raw.Bytes())
	})
}

// Delete forgets the connection's snapshot (used by disconnect).
func (c *Cache) Delete(connection string) error {
	if _, err := os.Stat(c.path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := c.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(snapshotsBucket); b != nil {
			return b.Delete([]byte(connection))
		}
		return nil
	})
}
