package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
)

// limitSample is what both stores hold: an old line or row that is not
// an entry, then entries of two tenants a minute apart, acme's and
// globex's interleaved, the newest last.
func limitSample() []gateway.AuditEntry {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var out []gateway.AuditEntry
	for i := range 10 {
		tenant, status := "acme", gateway.StatusOK
		if i%2 == 1 {
			tenant = "globex"
		}
		if i%3 == 0 {
			status = gateway.StatusDenied
		}
		out = append(out, gateway.AuditEntry{Time: base.Add(time.Duration(i) * time.Minute), Tenant: tenant, Agent: "bot",
			Tool: "atlassian_jira_search", ExecutionID: fmt.Sprintf("x-%d", i), Status: status})
	}
	return out
}

// auditIDsOf returns the execution ids `audit --json` printed.
func auditIDsOf(t *testing.T, out string) string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e gateway.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit --json printed %q: %v", line, err)
		}
		ids = append(ids, e.ExecutionID)
	}
	return strings.Join(ids, " ")
}

// TestAuditLimitReadsOnlyTheNewest: `audit --limit N` reads the newest N
// entries and no further back, on the database (one LIMIT query across
// tenants) and on the files (backwards from their end). Each store
// begins with an old line or row that is not an entry: reading the whole
// log reports it as skipped, reading only the newest never meets it.
func TestAuditLimitReadsOnlyTheNewest(t *testing.T) {
	t.Parallel()
	sample := limitSample()
	check := func(t *testing.T, store ...string) {
		t.Helper()
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"--limit", "3"}, "x-7 x-8 x-9"},
			{[]string{"--limit", "2", "--tenant", "acme"}, "x-6 x-8"},
			{[]string{"--limit", "2", "--status", "denied"}, "x-6 x-9"},
			{[]string{"--limit", "1", "--tenant", "globex", "--status", "denied"}, "x-9"},
		}
		for _, tt := range tests {
			code, out, errOut := runCLI(t, append(append([]string{"audit", "--json"}, store...), tt.args...)...)
			if code != exitOK || auditIDsOf(t, out) != tt.want {
				t.Errorf("audit %v: exit %d, entries %q, want %q\n%s", tt.args, code, auditIDsOf(t, out), tt.want, errOut)
			}
			if strings.Contains(errOut, "skipped") {
				t.Errorf("audit %v read back to the oldest line: %s", tt.args, errOut)
			}
		}
		// The whole log does meet the line that is not an entry.
		code, out, errOut := runCLI(t, append([]string{"audit", "--json", "--tenant", "acme"}, store...)...)
		if code != exitOK || auditIDsOf(t, out) != "x-0 x-2 x-4 x-6 x-8" || !strings.Contains(errOut, "skipped") {
			t.Errorf("audit without --limit: exit %d, entries %q, stderr %q", code, auditIDsOf(t, out), errOut)
		}
	}

	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.DSN(t)
		ctx := context.Background()
		db, err := pgstore.Open(ctx, dsn, true)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Pool().Exec(ctx, `INSERT INTO audit_entries (at, tenant, agent, tool, status, execution_id, entry)
			VALUES ('2026-01-01T00:00:00Z', 'acme', 'bot', 'atlassian_jira_search', 'denied', 'bad', '[1]'),
			       ('2026-01-01T00:00:00Z', 'globex', 'bot', 'atlassian_jira_search', 'denied', 'bad', '[1]')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Audit().Import(ctx, sample); err != nil {
			t.Fatal(err)
		}
		check(t, "--store", dsn)
	})

	t.Run("files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "audit"), 0o700); err != nil {
			t.Fatal(err)
		}
		logs := map[string]*strings.Builder{"acme": {}, "globex": {}}
		for _, b := range logs {
			b.WriteString("not an entry\n")
		}
		for _, e := range sample {
			line, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			logs[e.Tenant].Write(append(line, '\n'))
		}
		for tenant, b := range logs {
			if err := os.WriteFile(filepath.Join(dir, "audit", tenant+".jsonl"), []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		check(t, "--data-dir", dir)
	})
}
