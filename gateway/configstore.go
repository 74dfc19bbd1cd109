package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ErrNoConfig is returned by ConfigStore.Load when no config is stored
// yet. A file store's error also matches os.ErrNotExist.
var ErrNoConfig = errors.New("no agents config")

// ErrConfigChanged is returned by ConfigStore.UpdateIf when the stored
// config is no longer the version the caller read.
var ErrConfigChanged = errors.New("the agents config changed since it was read")

// ConfigStore is where the agents config lives: a JSON file (FileConfig,
// the single-machine default) or the shared database of several replicas
// (pgstore). Both pass the same conformance suite (internal/storetest).
//
// A stored config is always valid: Update validates before it writes, and
// a change is all or nothing. Readers poll Version to notice a change made
// by another process (the CLI, the console, another replica).
type ConfigStore interface {
	// Load returns the config and its version, read together. It returns
	// an error matching ErrNoConfig when none is stored.
	Load(ctx context.Context) (*Config, string, error)
	// Version returns a value that changes whenever the stored config
	// does ("" when none is stored). It is cheap enough to poll every
	// second.
	Version(ctx context.Context) (string, error)
	// Update applies fn to a copy of the stored config (an empty one when
	// none is stored), validates the result and stores it, all while
	// holding the store's lock, so concurrent updates do not lose each
	// other's changes. When fn, the validation or the write fails,
	// nothing changes. It returns the stored config and its version.
	Update(ctx context.Context, fn func(*Config) error) (*Config, string, error)
	// UpdateIf is Update when the stored version is still version (""
	// for none stored), checked under the same lock; otherwise it
	// changes nothing and returns an error matching ErrConfigChanged.
	// It replaces what a caller read earlier (config show, then set)
	// without overwriting a change made in between.
	UpdateIf(ctx context.Context, version string, fn func(*Config) error) (*Config, string, error)
	// Where names the store for messages (a path, or a database without
	// its password).
	Where() string
}

// ConfigWatcher is a ConfigStore that can tell a reader soon after another
// process changed the stored config (pgstore's LISTEN/NOTIFY), so readers
// need not wait for their next poll of Version. It is a hint, not a
// guarantee: readers keep polling, which covers a notification lost while
// the watcher was disconnected.
type ConfigWatcher interface {
	ConfigStore
	// Changes returns a channel that receives (coalesced) after the
	// stored config may have changed, until stop is called.
	Changes() (changed <-chan struct{}, stop func())
}

// FileConfig is the agents config in one JSON file, written atomically
// (a new file renamed over the old). Its version is the SHA-256 of the
// file's bytes, so an edit by hand is noticed like any other.
type FileConfig struct {
	// Path is the config file.
	Path string

	mu sync.Mutex // serialises this process's updates
}

// NewFileConfig returns the config store of the file at path.
func NewFileConfig(path string) *FileConfig { return &FileConfig{Path: path} }

var _ ConfigStore = (*FileConfig)(nil)

// Where returns the file's path.
func (f *FileConfig) Where() string { return f.Path }

// Load reads, decodes and validates the file.
func (f *FileConfig) Load(context.Context) (*Config, string, error) {
	raw, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("%w at %s: %w", ErrNoConfig, f.Path, err)
	}
	if err != nil {
		return nil, "", err
	}
	c, err := decodeConfig(raw)
	if err != nil {
		return nil, "", fmt.Errorf("config %s: %w", f.Path, err)
	}
	return c, fileVersion(raw), nil
}

// Version hashes the file's bytes.
func (f *FileConfig) Version(context.Context) (string, error) {
	raw, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return fileVersion(raw), nil
}

// Update rewrites the file with fn's changes under an flock on
// "<path>.lock", so updates from several processes are serialised (an
// edit by hand takes no lock).
func (f *FileConfig) Update(ctx context.Context, fn func(*Config) error) (*Config, string, error) {
	return f.update(ctx, nil, fn)
}

// UpdateIf is Update when the file's version is still version.
func (f *FileConfig) UpdateIf(ctx context.Context, version string, fn func(*Config) error) (*Config, string, error) {
	return f.update(ctx, &version, fn)
}

// update is Update, checking the stored version first when want is not
// nil.
func (f *FileConfig) update(ctx context.Context, want *string, fn func(*Config) error) (*Config, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Other processes (the CLI, another server on the same file) take the
	// same lock file, so a read-change-write never overwrites theirs.
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, "", err
	}
	lf, err := os.OpenFile(f.Path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("lock %s: %w", f.Path, err)
	}
	defer lf.Close() // closing drops the lock
	if err := lockFile(lf); err != nil {
		return nil, "", fmt.Errorf("lock %s: %w", f.Path, err)
	}
	c, ver, err := f.Load(ctx)
	if errors.Is(err, ErrNoConfig) {
		c, err = &Config{}, nil
	}
	if err != nil {
		return nil, "", err
	}
	if want != nil && *want != ver {
		return nil, "", VersionMoved(*want, ver)
	}
	if c.Tenants == nil {
		c.Tenants = map[string]*TenantConfig{}
	}
	if err := fn(c); err != nil {
		return nil, "", err
	}
	if err := c.Save(f.Path); err != nil {
		return nil, "", err
	}
	raw, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, "", err
	}
	return c, fileVersion(raw), nil
}

// VersionMoved is the ErrConfigChanged error of a store whose version is
// now instead of want.
func VersionMoved(want, now string) error {
	switch {
	case now == "":
		return fmt.Errorf("%w: it was version %s, and none is stored now", ErrConfigChanged, want)
	case want == "":
		return fmt.Errorf("%w: none was stored, and version %s is now", ErrConfigChanged, now)
	}
	return fmt.Errorf("%w: it was version %s, and is version %s now", ErrConfigChanged, want, now)
}

func fileVersion(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// ParseConfig decodes a config from its JSON strictly (an unknown field
// is an error) and validates it.
func ParseConfig(raw []byte) (*Config, error) { return decodeConfig(raw) }

// decodeConfig decodes a config strictly (an unknown field is an error)
// and validates it.
func decodeConfig(raw []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Clone deep-copies the config (through its JSON form).
func (c *Config) Clone() (*Config, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var out Config
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
