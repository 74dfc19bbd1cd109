package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
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

// TestRecoversAfterLosingItsConnections: the database ends every
// connection of a replica's pool (as a restart or failover does); the next
// operations fail at most briefly and the store recovers without a
// restart.
func TestRecoversAfterLosingItsConnections(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db := open(t, dsn)
	s, err := tokenstore.New(db.Tokens(), tokenstore.WithKeySpec(storetest.Key))
	if err != nil {
		t.Fatal(err)
	}
	c := tokenstore.Connection{Name: "default", APIURL: "http://127.0.0.1:1", AuthURL: "http://127.0.0.1:1"}
	if err := s.Save(c, tokenstore.Secrets{AccessToken: "at", RefreshToken: "rt"}); err != nil {
		t.Fatal(err)
	}
	var pid int32
	if err := db.Pool().QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// End the pool's connection from another one.
	other := open(t, dsn)
	var ended int
	if err := other.Pool().QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid = $1`, pid).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended != 1 {
		t.Fatalf("ended %d connections, want 1", ended)
	}
	var lastErr error
	for range 3 {
		if _, lastErr = s.Get("default"); lastErr == nil {
			break
		}
		if !strings.HasPrefix(lastErr.Error(), "PostgreSQL store: ") || strings.Contains(lastErr.Error(), "search_path") {
			t.Fatalf("error does not say it is the store's, or names the store's DSN: %v", lastErr)
		}
		// A lost connection is the store being unavailable, which the
		// tools answer as such.
		if !errors.Is(lastErr, tokenstore.ErrUnavailable) {
			t.Fatalf("a lost connection does not match tokenstore.ErrUnavailable: %v", lastErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("the store did not recover: %v", lastErr)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://mcp:s3cret@db:5432/x", "postgres://mcp:xxxxx@db:5432/x"},
		{"postgres://mcp@db/x?password=s3cret&sslmode=require", "postgres://mcp@db/x?password=xxxxx&sslmode=require"},
		{"postgres://db/x", "postgres://db/x"},
	}
	for _, tt := range tests {
		if got := pgstore.Redact(tt.in); got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestConfigConformance runs the agents config suite on PostgreSQL: every
// store is another replica with its own pool on one schema.
func TestConfigConformance(t *testing.T) {
	storetest.RunConfig(t, func(t testing.TB) storetest.ConfigEnv {
		dsn := pgtest.DSN(t)
		return storetest.ConfigEnv{Open: func(t testing.TB) gateway.ConfigStore { return open(t, dsn).Config() }}
	})
}

// TestAuditConformance runs the audit suite on PostgreSQL: every sink and
// reader is another replica with its own pool on one schema.
func TestAuditConformance(t *testing.T) {
	storetest.RunAudit(t, func(t testing.TB) storetest.AuditEnv {
		dsn := pgtest.DSN(t)
		return storetest.AuditEnv{
			Sink: func(t testing.TB, tenant string) gateway.AuditSink { return open(t, dsn).Audit().For(tenant) },
			Reader: func(t testing.TB) gateway.AuditReader {
				a := open(t, dsn).Audit()
				pgstore.SetAuditPageRows(a, 3) // the suite's entries cross pages
				return a
			},
		}
	})
}

// TestAuditGroupCommitAndRetention: concurrent records share
// transactions, every one is committed when Record returns, and Prune
// deletes by age only.
func TestAuditGroupCommitAndRetention(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a := open(t, dsn).Audit()
	const n = 64
	var wg sync.WaitGroup
	now := time.Now().UTC()
	for i := range n {
		wg.Go(func() {
			e := &gateway.AuditEntry{Time: now, Tenant: "acme", Tool: "atlassian_jira_search", ExecutionID: fmt.Sprint("new", i), Status: gateway.StatusOK}
			if i%4 == 0 { // a quarter of the entries are 40 days old
				e.Time, e.ExecutionID = now.Add(-40*24*time.Hour), fmt.Sprint("old", i)
			}
			if err := a.Record(e); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, commits := a.Stats()
	t.Logf("%d entries in %d commits", entries, commits)
	if entries != n || commits >= n {
		t.Fatalf("%d entries in %d commits: want %d entries sharing fewer commits", entries, commits, n)
	}
	deleted, err := a.Prune(context.Background(), 30*24*time.Hour)
	if err != nil || deleted != n/4 {
		t.Fatalf("Prune deleted %d (%v), want %d", deleted, err, n/4)
	}
	res, err := a.Read(context.Background(), "acme", gateway.AuditFilter{})
	if err != nil || len(res.Entries) != n-n/4 {
		t.Fatalf("after prune %d entries (%v), want %d", len(res.Entries), err, n-n/4)
	}
	for _, e := range res.Entries {
		if strings.HasPrefix(e.ExecutionID, "old") {
			t.Fatalf("old entry %s survived", e.ExecutionID)
		}
	}
}

// TestSnapshotSaveArrivesByNotification: replica B polls once an hour,
// so A's refresh can reach it only through the save's notification. Then
// the database ends B's listener connection: it reconnects by itself and
// the next refresh arrives by notification too.
func TestSnapshotSaveArrivesByNotification(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	dbB := open(t, dsn)
	a, b := open(t, dsn).Snapshots(), dbB.Snapshots()
	b.Interval = time.Hour
	storeA, storeB := schema.NewStore(a, "default"), schema.NewStore(b, "default")
	got := make(chan *schema.Snapshot, 10)
	storeB.Subscribe(func(s *schema.Snapshot) { got <- s })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	storeB.Follow(ctx)
	listening := func(connects int64) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if l := dbB.Listener(); l.Listening && l.Connects >= connects {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("B's listener did not connect within 20 s")
			}
		}
	}
	refresh := func(site string) {
		t.Helper()
		before := dbB.Listener().Notifications
		if _, err := storeA.Refresh(ctx, func(context.Context) (*schema.Snapshot, error) {
			return &schema.Snapshot{FormatVersion: schema.FormatVersion, SiteName: site}, nil
		}); err != nil {
			t.Fatal(err)
		}
		select { // a bound on failure: the poll would take an hour
		case s := <-got:
			if s.SiteName != site {
				t.Fatalf("B swapped in %q, want %q", s.SiteName, site)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("B did not see A's refresh %q", site)
		}
		if after := dbB.Listener().Notifications; after <= before {
			t.Fatalf("B's listener received %d notifications, then %d", before, after)
		}
	}
	listening(1)
	refresh("first")

	var ended int
	if err := open(t, dsn).Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'atlassian-mcp listener' AND query = $1`,
		`LISTEN "atlassian_mcp:`+dbB.Schema()+`"`).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended != 1 {
		t.Fatalf("ended %d listener connections, want 1", ended)
	}
	listening(2)
	refresh("after reconnecting")
}

// TestAuditSpoolsWhileTheDatabaseDoesNotAnswer: while another session
// holds audit_entries locked, commits time out; their entries are kept
// in memory (at most the spool's bound, the rest dropped and counted) and
// written before the next entry once the table answers, each once, even
// one whose failed commit had in fact written it.
func TestAuditSpoolsWhileTheDatabaseDoesNotAnswer(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db, other := open(t, dsn), open(t, dsn)
	a := db.Audit()
	pgstore.SetAuditTimeout(a, 300*time.Millisecond)
	pgstore.SetAuditSpoolMax(a, 2)
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	entry := func(i int) *gateway.AuditEntry {
		return &gateway.AuditEntry{Time: base.Add(time.Duration(i) * time.Second), Tenant: "acme", Agent: "bot", Tool: "atlassian_jira_search",
			ExecutionID: fmt.Sprintf("x-%d", i), Status: gateway.StatusOK}
	}
	if err := a.Record(entry(0)); err != nil {
		t.Fatal(err)
	}
	lock, err := other.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(ctx, "LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := a.Record(entry(i)); err == nil {
			t.Fatalf("entry %d committed through the lock", i)
		}
	}
	if held, dropped := a.Spooled(); held != 2 || dropped != 1 || a.Failed() == nil {
		t.Fatalf("spool holds %d, dropped %d, failed %v; want 2, 1 and an error", held, dropped, a.Failed())
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// A timed-out INSERT may still be waiting on the lock server-side:
	// wait until none is, so what follows is decided.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := other.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query LIKE 'INSERT INTO audit_entries%' AND pid <> pg_backend_pid()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timed-out INSERTs are still waiting")
		}
	}
	// As if x-1's commit had gone through though its answer was lost.
	if err := other.Audit().Record(entry(1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(entry(4)); err != nil {
		t.Fatalf("the first entry once the table answers: %v", err)
	}
	if held, _ := a.Spooled(); held != 0 || a.Failed() != nil {
		t.Fatalf("after the database answered: spool holds %d, failed %v", held, a.Failed())
	}
	res, err := a.Read(ctx, "acme", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Entries {
		got = append(got, e.ExecutionID)
	}
	// x-3 was dropped from the spool (its own statement could still have
	// committed when the lock went): no entry twice, the spooled ones there.
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range []string{"x-0", "x-1", "x-2", "x-4"} {
		if seen[id] != 1 {
			t.Fatalf("entries %v: %s %d times, want once", got, id, seen[id])
		}
	}
	if seen["x-3"] > 1 {
		t.Fatalf("entries %v: x-3 twice", got)
	}
	t.Logf("entries after recovery: %v", got)
}

// lockAudit holds audit_entries locked from another replica until the
// returned function releases it: commits wait on it and time out, as if
// the database did not answer.
func lockAudit(t *testing.T, other *pgstore.DB) func() {
	t.Helper()
	ctx := context.Background()
	lock, err := other.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(ctx, "LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if err := lock.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

// auditIDs returns the execution ids of tenant's entries, oldest first.
func auditIDs(t *testing.T, db *pgstore.DB, tenant string) []string {
	t.Helper()
	res, err := db.Audit().Read(context.Background(), tenant, gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range res.Entries {
		ids = append(ids, e.ExecutionID)
	}
	return ids
}

func spoolEntry(i int) *gateway.AuditEntry {
	return &gateway.AuditEntry{Time: time.Date(2026, 3, 1, 9, 0, i, 0, time.UTC), Tenant: "acme", Agent: "bot",
		Tool: "atlassian_jira_search", ExecutionID: fmt.Sprintf("x-%d", i), Status: gateway.StatusOK}
}

// TestAuditSpoolWrittenWithoutFurtherCalls: entries spooled while the
// table did not answer reach it once it answers again although no call
// (no further Record) comes, and Failed clears, so the next call runs
// instead of being refused first.
func TestAuditSpoolWrittenWithoutFurtherCalls(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db, other := open(t, dsn), open(t, dsn)
	a := db.Audit()
	pgstore.SetAuditTimeout(a, 300*time.Millisecond)
	pgstore.SetAuditRetry(a, 100*time.Millisecond)
	release := lockAudit(t, other)
	for i := range 3 {
		if err := a.Record(spoolEntry(i)); err == nil {
			t.Fatalf("entry %d committed through the lock", i)
		}
	}
	if held, _ := a.Spooled(); held != 3 || a.Failed() == nil {
		t.Fatalf("spool holds %d, failed %v; want 3 and an error", held, a.Failed())
	}
	release()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if held, _ := a.Spooled(); held == 0 && a.Failed() == nil {
			break
		}
		if time.Now().After(deadline) {
			held, _ := a.Spooled()
			t.Fatalf("20 s after the table answered, the spool holds %d, failed %v", held, a.Failed())
		}
	}
	if got := auditIDs(t, other, "acme"); fmt.Sprint(got) != "[x-0 x-1 x-2]" {
		t.Fatalf("entries %v, want x-0 x-1 x-2 once each", got)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestAuditCloseWritesTheSpool: at shutdown Close writes what the spool
// holds when the database answers, and otherwise gives up at its
// deadline with an error counting the entries lost, naming neither the
// entries nor the database.
func TestAuditCloseWritesTheSpool(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db, other := open(t, dsn), open(t, dsn)
	a := db.Audit()
	pgstore.SetAuditTimeout(a, 300*time.Millisecond)
	pgstore.SetAuditRetry(a, time.Hour) // only Close writes it
	release := lockAudit(t, other)
	for i := range 2 {
		if err := a.Record(spoolEntry(i)); err == nil {
			t.Fatalf("entry %d committed through the lock", i)
		}
	}
	release()
	pgstore.SetAuditTimeout(a, 20*time.Second) // a loaded machine may take longer than 300 ms
	if err := a.Close(context.Background()); err != nil {
		t.Fatalf("Close with the database answering: %v", err)
	}
	if got := auditIDs(t, other, "acme"); fmt.Sprint(got) != "[x-0 x-1]" {
		t.Fatalf("entries after Close %v, want x-0 x-1", got)
	}
	if err := a.Record(spoolEntry(9)); err == nil {
		t.Fatal("Record after Close succeeded")
	}

	// Still down at shutdown: Close ends by its deadline and counts.
	b := db.Audit()
	pgstore.SetAuditTimeout(b, 300*time.Millisecond)
	pgstore.SetAuditRetry(b, time.Hour)
	pgstore.SetAuditSpoolMax(b, 2)
	lockAudit(t, other)
	for i := 2; i < 5; i++ {
		if err := b.Record(spoolEntry(i)); err == nil {
			t.Fatalf("entry %d committed through the lock", i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := b.Close(ctx)
	t.Logf("Close with the table locked: %v after %s", err, time.Since(start).Round(time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "2 audit entries") || !strings.Contains(err.Error(), "1 more dropped") {
		t.Fatalf("Close with the table locked: %v; want 2 entries lost and 1 dropped", err)
	}
	for _, secret := range []string{"x-2", "x-3", "127.0.0.1", "search_path", "postgres://"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("Close's error names %q: %v", secret, err)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Close took %s past its 2 s deadline", time.Since(start))
	}
}

// TestAuditLatestReadsOnlyWhatItReturns: Latest's cursor reads the
// newest n rows of one tenant or of every tenant with the filter in the
// query, and no page beyond them.
func TestAuditLatestReadsOnlyWhatItReturns(t *testing.T) {
	t.Parallel()
	db := open(t, pgtest.DSN(t))
	a := db.Audit()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var sample []gateway.AuditEntry
	for i := range 40 {
		tenant, status := "acme", gateway.StatusOK
		if i%2 == 1 {
			tenant = "globex"
		}
		if i%5 == 0 {
			status = gateway.StatusDenied
		}
		sample = append(sample, gateway.AuditEntry{Time: base.Add(time.Duration(i) * time.Second), Tenant: tenant, Agent: "bot",
			Tool: "atlassian_jira_search", ExecutionID: fmt.Sprintf("x-%d", i), Status: status})
	}
	ctx := context.Background()
	if _, err := a.Import(ctx, sample); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tenant string
		f      gateway.AuditFilter
		n      int
		want   string
	}{
		{"", gateway.AuditFilter{}, 3, "x-39 x-38 x-37"},
		{"acme", gateway.AuditFilter{}, 2, "x-38 x-36"},
		{"", gateway.AuditFilter{Status: gateway.StatusDenied}, 3, "x-35 x-30 x-25"},
		{"globex", gateway.AuditFilter{Status: gateway.StatusDenied, Tool: "jira_search"}, 2, "x-35 x-25"},
		{"acme", gateway.AuditFilter{Since: base.Add(37 * time.Second)}, 5, "x-38"},
	}
	for _, tt := range tests {
		c, err := a.Latest(ctx, tt.tenant, tt.f, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for e, ok := c.Next(); ok; e, ok = c.Next() {
			got = append(got, e.ExecutionID)
		}
		if c.Err() != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("Latest(%q, %+v, %d) = %v (%v), want %s", tt.tenant, tt.f, tt.n, got, c.Err(), tt.want)
		}
		if rows := pgstore.AuditRowsRead(c); rows != len(got) {
			t.Errorf("Latest(%q, %+v, %d) read %d rows for %d entries", tt.tenant, tt.f, tt.n, rows, len(got))
		}
		_ = c.Close()
	}
	if _, err := a.Latest(ctx, "../x", gateway.AuditFilter{}, 1); err == nil {
		t.Error("Latest accepted an invalid tenant")
	}
}

// TestAuditReadsArePlannedForTheirTenant: on a skewed table (a tenant
// of 99% of the rows, one of 1%), after the console's queries ran five
// times for the big tenant on a connection, PostgreSQL's plan cache
// (plan_cache_mode auto) would switch a prepared statement to a generic
// plan, planned for an average tenant: on 1,000,000 rows the small
// tenant's hourly chart then reads 2,177 buffers instead of 49, its
// newest-500 page of denied calls 67,977 instead of 274 (see
// Audit's readMode). The reads are never prepared as named statements,
// so none runs on a generic plan.
func TestAuditReadsArePlannedForTheirTenant(t *testing.T) {
	t.Parallel()
	db := open(t, pgtest.DSN(t)+"&pool_max_conns=1") // one connection: its plan cache is the one looked at
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, `INSERT INTO audit_entries (at, tenant, agent, tool, status, execution_id, entry)
		SELECT now() - g * interval '30 seconds', CASE WHEN g % 100 = 0 THEN 'tiny' ELSE 'acme' END, 'bot', 'atlassian_jira_search',
			CASE WHEN g % 30 = 0 THEN 'denied' ELSE 'ok' END, 'x-' || g,
			jsonb_build_object('tool', 'atlassian_jira_search', 'execution_id', 'x-' || g, 'time', now() - g * interval '30 seconds')
		FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, "ANALYZE audit_entries"); err != nil {
		t.Fatal(err)
	}
	a := db.Audit()
	now := time.Now().UTC()
	from, to := now.Truncate(time.Hour).Add(-24*time.Hour), now.Truncate(time.Hour).Add(time.Hour)
	for _, tenant := range []string{"acme", "acme", "acme", "acme", "acme", "acme", "tiny", "tiny"} {
		for _, f := range []gateway.AuditFilter{{}, {Status: gateway.StatusDenied}, {Since: now.Add(-time.Hour)}} {
			if _, err := a.HourlyAudit(ctx, tenant, f, from, to); err != nil {
				t.Fatal(err)
			}
			if _, err := a.CountAudit(ctx, tenant, f); err != nil {
				t.Fatal(err)
			}
			c, err := a.NewestFirst(ctx, tenant, f)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 600; i++ { // a second page
				if _, ok := c.Next(); !ok {
					break
				}
			}
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			_ = c.Close()
		}
	}
	rows, err := db.Pool().Query(ctx, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement LIKE $1`, "%FROM audit_entries%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			stmt            string
			generic, custom int64
		)
		if err := rows.Scan(&stmt, &generic, &custom); err != nil {
			t.Fatal(err)
		}
		if generic > 0 {
			t.Errorf("%d runs on a generic plan (%d custom) of %s", generic, custom, strings.Join(strings.Fields(stmt), " "))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditTenantsProbesTheIndex: listing the tenants reads a few index
// pages per tenant, not the whole (tenant, at) index: on 100,000 rows of
// 3 tenants, fewer than 50 shared buffers (14; SELECT DISTINCT read 1,161).
func TestAuditTenantsProbesTheIndex(t *testing.T) {
	t.Parallel()
	db := open(t, pgtest.DSN(t))
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, `INSERT INTO audit_entries (at, tenant, agent, tool, status, execution_id, entry)
		SELECT now() - g * interval '1 second', (ARRAY['acme', 'globex', 'tiny'])[1 + g % 3], 'bot', 'atlassian_jira_search', 'ok', 'x-' || g, '{}'
		FROM generate_series(1, 100000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE audit_entries"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Audit().Tenants(ctx)
	if err != nil || fmt.Sprint(got) != "[acme globex tiny]" {
		t.Fatalf("Tenants = %v, %v", got, err)
	}
	var plan []byte
	if err := db.Pool().QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+pgstore.TenantsSQL).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var explained []struct {
		Plan struct {
			Hit  int `json:"Shared Hit Blocks"`
			Read int `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(plan, &explained); err != nil || len(explained) != 1 {
		t.Fatalf("EXPLAIN: %s (%v)", plan, err)
	}
	if buffers := explained[0].Plan.Hit + explained[0].Plan.Read; buffers >= 50 {
		t.Fatalf("listing 3 tenants read %d buffers", buffers)
	} else {
		t.Logf("listing 3 tenants of 100,000 rows read %d buffers", buffers)
	}
}
