package gateway_test

import (
	"path/filepath"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/storetest"
)

// TestFileConfigConformance runs the agents config suite on the file
// store: every store is another process's view of one file.
func TestFileConfigConformance(t *testing.T) {
	storetest.RunConfig(t, func(t testing.TB) storetest.ConfigEnv {
		path := filepath.Join(t.TempDir(), "config.json")
		return storetest.ConfigEnv{Open: func(testing.TB) gateway.ConfigStore { return gateway.NewFileConfig(path) }}
	})
}
