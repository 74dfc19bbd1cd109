package console

import (
	"fmt"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
)

// dbAuditBackend is a backend whose audit entries are in PostgreSQL.
type dbAuditBackend struct {
	quietBackend
	audit *pgstore.Audit
}

func (b dbAuditBackend) Audit() gateway.AuditReader { return b.audit }

// TestScanAuditCountsOnDatabase: on PostgreSQL (a gateway.AuditCounter)
// the audit page stops walking after its page and takes the total and the
// chart from the database's counts; they and the page equal what the walk
// over the same entries in files gives.
func TestScanAuditCountsOnDatabase(t *testing.T) {
	db, err := pgstore.Open(t.Context(), pgtest.DSN(t), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 12, 30, 0, 0, time.UTC)
	statuses := []string{gateway.StatusOK, gateway.StatusError, gateway.StatusDenied}
	logs := map[string]*gateway.AuditLog{}
	for _, tenant := range []string{"acme", "beta"} {
		if logs[tenant], err = gateway.OpenAuditLog(dir, tenant, gateway.AuditOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pg := db.Audit()
	const n = 130
	for i := range n {
		tenant := "acme"
		if i%3 == 0 {
			tenant = "beta"
		}
		// Every 17 minutes over 36 hours: some entries fall before the chart.
		e := &gateway.AuditEntry{Time: now.Add(-time.Duration(n-i) * 17 * time.Minute), Tenant: tenant, Agent: fmt.Sprintf("a%d", i%2),
			Tool: "atlassian_jira_search", Status: statuses[i%3], ExecutionID: fmt.Sprintf("e%03d", i)}
		if err := logs[tenant].Record(e); err != nil {
			t.Fatal(err)
		}
		if err := pg.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range logs {
		l.Close()
	}
	files, err := New(Options{DataDir: t.TempDir(), Backend: auditBackend{dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	onDB, err := New(Options{DataDir: t.TempDir(), Backend: dbAuditBackend{audit: pg}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		tenant     string
		f          gateway.AuditFilter
		skip, size int
	}{
		{"first page", "", gateway.AuditFilter{}, 0, 50},
		{"last page", "", gateway.AuditFilter{}, 100, 50},
		{"past the end", "", gateway.AuditFilter{}, 150, 50},
		{"one tenant, agent and status", "beta", gateway.AuditFilter{Agent: "a1", Status: gateway.StatusOK}, 0, 5},
		{"since 10h, agent", "", gateway.AuditFilter{Since: now.Add(-10*time.Hour + 7*time.Nanosecond), Agent: "a1"}, 0, 50},
	}
	ids := func(es []gateway.AuditEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ExecutionID)
		}
		return out
	}
	for _, tt := range tests {
		want, err := files.scanAudit(t.Context(), tt.tenant, tt.f, tt.skip, tt.size, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := onDB.scanAudit(t.Context(), tt.tenant, tt.f, tt.skip, tt.size, now)
		if err != nil {
			t.Fatal(err)
		}
		if want.total == 0 && tt.skip == 0 {
			t.Fatalf("%s: the files select nothing; the case checks nothing", tt.name)
		}
		if got.total != want.total || fmt.Sprint(ids(got.page)) != fmt.Sprint(ids(want.page)) {
			t.Errorf("%s: database total %d page %v, files total %d page %v", tt.name, got.total, ids(got.page), want.total, ids(want.page))
		}
		if got.hours != want.hours {
			t.Errorf("%s: database chart %+v, files chart %+v", tt.name, got.hours, want.hours)
		}
	}
}
