package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// BenchmarkChangeNotified measures how soon a change committed by one
// replica (A) reaches another (B, its own pool and LISTEN connection on
// the same database, as another process has): one op is A's change and
// B's receipt, one at a time. Besides ns/op it reports, in microseconds,
// the median and 95th percentile from the moment A's commit returned to
// B's receipt (commit-to-seen; negative when the notification beat the
// commit's answer to A) and from the start of A's change (change-to-seen).
//
//	go test -run '^$' -bench ChangeNotified -benchtime 500x ./pgstore/
//
// config: B's ConfigStore.Changes fires (the hub then loads the config).
// schema: B's Snapshots.Watch calls back, after the notification and its
// version query (the schema store then loads the snapshot).
func BenchmarkChangeNotified(b *testing.B) {
	b.Run("config", func(b *testing.B) {
		dsn := pgtest.DSN(b)
		a, dbB := open(b, dsn).Config(), open(b, dsn)
		ctx := context.Background()
		if _, _, err := a.Update(ctx, func(c *gateway.Config) error { return nil }); err != nil {
			b.Fatal(err)
		}
		seen, stop := dbB.Config().Changes()
		defer stop()
		waitListening(b, dbB, seen)
		measure(b, func(i int) {
			if _, _, err := a.Update(ctx, func(c *gateway.Config) error { c.Comment = fmt.Sprint("change ", i); return nil }); err != nil {
				b.Fatal(err)
			}
		}, seen)
	})
	b.Run("schema", func(b *testing.B) {
		dsn := pgtest.DSN(b)
		a, dbB := open(b, dsn).Snapshots(), open(b, dsn)
		snapsB := dbB.Snapshots()
		snapsB.Interval = time.Hour // only the notification wakes it
		seen := make(chan struct{}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go snapsB.Watch(ctx, "default", func() { seen <- struct{}{} })
		waitListening(b, dbB, nil)
		measure(b, func(i int) {
			if err := a.Save(&schema.Snapshot{FormatVersion: schema.FormatVersion, Connection: "default", SiteName: fmt.Sprint("site ", i)}); err != nil {
				b.Fatal(err)
			}
		}, seen)
	})
}

// waitListening waits for db's listener and drains the wake-up its
// connection sends to seen.
func waitListening(b *testing.B, db *pgstore.DB, seen <-chan struct{}) {
	b.Helper()
	for deadline := time.Now().Add(20 * time.Second); !db.Listener().Listening; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the listener did not connect within 20 s")
		}
	}
	if seen != nil {
		select {
		case <-seen:
		case <-time.After(time.Second):
		}
	}
}

// measure runs change b.N times, each time waiting for seen, and reports
// the latencies.
func measure(b *testing.B, change func(i int), seen <-chan struct{}) {
	b.Helper()
	commitToSeen := make([]time.Duration, 0, b.N)
	changeToSeen := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		change(i)
		committed := time.Now()
		select {
		case <-seen:
		case <-time.After(10 * time.Second):
			b.Fatalf("change %d not seen within 10 s", i)
		}
		got := time.Now()
		commitToSeen = append(commitToSeen, got.Sub(committed))
		changeToSeen = append(changeToSeen, got.Sub(start))
	}
	b.StopTimer()
	report := func(d []time.Duration, name string) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds()), name+"-µs-median")
		b.ReportMetric(float64(d[len(d)*95/100].Microseconds()), name+"-µs-p95")
	}
	report(commitToSeen, "commit-to-seen")
	report(changeToSeen, "change-to-seen")
}
