package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// envDataDir names the environment variable that sets the data directory.
const envDataDir = "ATLASSIAN_MCP_DATA_DIR"

// storeFlags are the flags of every command that works on a connection in
// the data directory (connect, status, disconnect, serve, schema, ...).
type storeFlags struct {
	dataDir    string
	connection string
}

// addStoreFlags registers --data-dir and --connection on fs.
func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.dataDir, "data-dir", "",
		"data directory holding tokens and caches (env "+envDataDir+"; default $XDG_DATA_HOME/atlassian-mcp or ~/.local/share/atlassian-mcp)")
	fs.StringVar(&f.connection, "connection", tokenstore.DefaultConnection,
		"connection name: one per site when a server serves several")
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

// openStore validates the connection name and opens the token store. The
// encryption key comes from tokenstore.KeyEnv or the key file in the data
// directory.
func (f *storeFlags) openStore(opts ...tokenstore.Option) (*tokenstore.Store, error) {
	if err := tokenstore.ValidateName(f.connection); err != nil {
		return nil, fmt.Errorf("--connection: %w", err)
	}
	dir, err := f.dir()
	if err != nil {
		return nil, err
	}
	return tokenstore.Open(dir, opts...)
}
