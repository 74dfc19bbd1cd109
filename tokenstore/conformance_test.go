package tokenstore_test

import (
	"path/filepath"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/storetest"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// TestConformance runs the store suite on the default backend: a bbolt
// data directory shared by several Stores (processes). pgstore runs the
// same suite on PostgreSQL. The suite's refresh tests across processes
// (another refreshed first, death mid-refresh, random interleavings) are
// the bbolt store's own tests of them.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Env {
		dir := filepath.Join(t.TempDir(), "data")
		return storetest.Env{
			Open: func(t testing.TB, opts ...tokenstore.Option) *tokenstore.Store {
				s, err := tokenstore.Open(dir, append([]tokenstore.Option{tokenstore.WithKeySpec(storetest.Key)}, opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			Snapshots: func(testing.TB) schema.Snapshots { return schema.NewCache(dir) },
			// bbolt is fast: more interleavings than PostgreSQL runs.
			Interleavings: 8,
		}
	})
}
