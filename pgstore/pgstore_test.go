package pgstore_test

import (
	"context"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/internal/storetest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func open(t testing.TB, dsn string) *pgstore.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), dsn, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// TestConformance runs the store suite on PostgreSQL: every Store is
// another replica with its own pool on one schema.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Env {
		dsn := pgtest.DSN(t)
		return storetest.Env{
			Open: func(t testing.TB, opts ...tokenstore.Option) *tokenstore.Store {
				s, err := tokenstore.New(open(t, dsn).Tokens(), append([]tokenstore.Option{tokenstore.WithKeySpec(storetest.Key)}, opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			Snapshots: func(t testing.TB) schema.Snapshots { return open(t, dsn).Snapshots() },
		}
	})
}
