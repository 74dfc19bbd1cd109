package pgstore_test

import (
	"context"
	"testing"
	"time"

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

// TestSnapshotRefreshSeenByOtherReplica: a refresh saved by replica A is
// swapped into replica B's schema store (and told to B's subscribers, the
// tool layer that sends tools/list_changed); B's own save is not echoed.
func TestSnapshotRefreshSeenByOtherReplica(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn).Snapshots(), open(t, dsn).Snapshots()
	b.Interval = 50 * time.Millisecond
	storeA, storeB := schema.NewStore(a, "default"), schema.NewStore(b, "default")
	got := make(chan *schema.Snapshot, 10)
	storeB.Subscribe(func(s *schema.Snapshot) { got <- s })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !storeB.Follow(ctx) {
		t.Fatal("a PostgreSQL snapshot store cannot be followed")
	}
	discover := func(site string) schema.DiscoverFunc {
		return func(context.Context) (*schema.Snapshot, error) {
			return &schema.Snapshot{FormatVersion: schema.FormatVersion, SiteName: site}, nil
		}
	}
	if _, err := storeA.Refresh(ctx, discover("from-a")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s.SiteName != "from-a" || storeB.Current() == nil || storeB.Current().SiteName != "from-a" {
			t.Fatalf("B swapped in %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("B did not see A's refresh within 5s")
	}
	if _, err := storeB.Refresh(ctx, discover("from-b")); err != nil {
		t.Fatal(err)
	}
	<-got // B's own refresh, told once by Refresh itself
	select {
	case s := <-got:
		t.Fatalf("B's own save came back as a change: %+v", s.SiteName)
	case <-time.After(300 * time.Millisecond):
	}
}
