package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// envDataDir names the environment variable that sets the data directory.
const envDataDir = "ATLASSIAN_MCP_DATA_DIR"

// storeFlags are the flags of every command that works on a connection in
// the data directory (connect, status, disconnect, serve, schema, ...).
type storeFlags struct {
	dataDir    string
	connection string
	store      string
}

// addStoreFlags registers --data-dir and --connection on fs.
func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.dataDir, "data-dir", "",
		"data directory holding tokens and caches (env "+envDataDir+"; default $XDG_DATA_HOME/atlassian-mcp or ~/.local/share/atlassian-mcp)")
	fs.StringVar(&f.connection, "connection", tokenstore.DefaultConnection,
		"connection name: one per site when a server serves several")
	fs.StringVar(&f.store, "store", "",
		"where connections and schema snapshots live: bolt (the data directory, default) or postgres://... shared by several replicas (env "+envStore+"; needs "+tokenstore.KeyEnv+")")
	return f
}

// dir returns the data directory: --data-dir, then the environment, then
// the XDG default.
func (f *storeFlags) dir() (string, error) {
	if f.dataDir != "" {
		return f.dataDir, nil
	}
	return defaultDataDir()
}

// defaultDataDir returns $ATLASSIAN_MCP_DATA_DIR, or atlassian-mcp under
// $XDG_DATA_HOME, or ~/.local/share/atlassian-mcp.
func defaultDataDir() (string, error) {
	if d := os.Getenv(envDataDir); d != "" {
		return d, nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "atlassian-mcp"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find a data directory: set --data-dir or " + envDataDir)
	}
	return filepath.Join(home, ".local", "share", "atlassian-mcp"), nil
}

// envRefreshMargin names the environment variable that sets how long
// before expiry an access token is refreshed (default 5m). Only tokens that
// live shorter than the margin need it (tests with a sandbox issuing
// seconds-long tokens); Atlassian's last an hour.
const envRefreshMargin = "ATLASSIAN_MCP_REFRESH_MARGIN"

// envStore names the environment variable that selects the store.
const envStore = "ATLASSIAN_MCP_STORE"

// storeSpec returns --store, then the environment; "" and "bolt" mean the
// data directory.
func (f *storeFlags) storeSpec() (string, error) {
	spec := f.store
	if spec == "" {
		spec = os.Getenv(envStore)
	}
	switch {
	case spec == "" || spec == "bolt":
		return "", nil
	case pgstore.IsDSN(spec):
		return spec, nil
	}
	return "", fmt.Errorf("--store %q: want bolt or a postgres://user@host:5432/db DSN", pgstore.Redact(spec))
}

// openStore validates the connection name and opens the token store: the
// data directory's (key from tokenstore.KeyEnv or the key file), or
// PostgreSQL's with --store postgres://... (key from tokenstore.KeyEnv,
// migrations applied first).
func (f *storeFlags) openStore(opts ...tokenstore.Option) (*tokenstore.Store, error) {
	if err := tokenstore.ValidateName(f.connection); err != nil {
		return nil, fmt.Errorf("--connection: %w", err)
	}
	spec, err := f.storeSpec()
	if err != nil {
		return nil, err
	}
	if v := os.Getenv(envRefreshMargin); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%s=%q: want a duration such as 5m or 500ms", envRefreshMargin, v)
		}
		opts = append([]tokenstore.Option{tokenstore.WithRefreshMargin(d)}, opts...)
	}
	if spec != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := pgstore.Open(ctx, spec, true)
		if err != nil {
			return nil, err
		}
		store, err := tokenstore.New(db.Tokens(), opts...)
		if err != nil {
			db.Close()
			return nil, err
		}
		remember(store, db.Snapshots(), db)
		return store, nil
	}
	dir, err := f.dir()
	if err != nil {
		return nil, err
	}
	store, err := tokenstore.Open(dir, opts...)
	if err != nil {
		return nil, err
	}
	remember(store, schema.NewCache(store.Dir()), nil)
	return store, nil
}

// opened is what openStore opened beside a token store: where its schema
// snapshots live and, for PostgreSQL, the database.
type opened struct {
	snapshots schema.Snapshots
	db        *pgstore.DB
}

var (
	openedMu sync.Mutex
	openedBy = map[*tokenstore.Store]opened{}
)

func remember(store *tokenstore.Store, snaps schema.Snapshots, db *pgstore.DB) {
	openedMu.Lock()
	openedBy[store] = opened{snaps, db}
	openedMu.Unlock()
}

// snapshotsOf returns where the store's schema snapshots live: the same
// database as its connections, or the cache in its data directory.
func snapshotsOf(store *tokenstore.Store) schema.Snapshots {
	openedMu.Lock()
	defer openedMu.Unlock()
	if o, ok := openedBy[store]; ok {
		return o.snapshots
	}
	return schema.NewCache(store.Dir())
}

// databaseOf returns the PostgreSQL store a token store was opened on, or
// nil for the data directory.
func databaseOf(store *tokenstore.Store) *pgstore.DB {
	openedMu.Lock()
	defer openedMu.Unlock()
	return openedBy[store].db
}

// storeWhere names where a store keeps its connections, for messages.
func storeWhere(store *tokenstore.Store) string {
	if d := store.Dir(); d != "" {
		return d
	}
	return store.Path()
}
