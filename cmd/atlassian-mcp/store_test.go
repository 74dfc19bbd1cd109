package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// TestStoreCopyMovesAnInstallToPostgres copies a data directory's
// connection (sealed with its key file), schema snapshot and agents config
// into PostgreSQL and then serves status and the agent commands from
// there, with no new consent and no new agent token.
func TestStoreCopyMovesAnInstallToPostgres(t *testing.T) {
	e := newSandboxEnv(t)
	dsn := pgtest.DSN(t)
	src := e.store(t)
	pair := e.srv.IssueToken()
	c := tokenstore.Connection{
		Name: "default", Site: tokenstore.Site{CloudID: e.srv.CloudID, Name: e.srv.SiteName, URL: e.srv.SiteURL},
		Products:    []tokenstore.Product{{Name: tokenstore.ProductJira}, {Name: tokenstore.ProductConfluence}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Now(),
		ClientID: e.srv.ClientID, AuthURL: e.srv.URL, APIURL: e.srv.URL,
	}
	if err := src.Save(c, tokenstore.Secrets{ClientSecret: e.srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, Expiry: pair.Expiry}); err != nil {
		t.Fatal(err)
	}
	if err := schema.NewCache(e.dir).Save(&schema.Snapshot{FormatVersion: schema.FormatVersion, Connection: "default", CloudID: e.srv.CloudID}); err != nil {
		t.Fatal(err)
	}

	if code, _, stderr := runCLI(t, "agent", "add", "--data-dir", e.dir, "--name", "bot", "--tenant", "default", "--profile", "assistant"); code != exitOK {
		t.Fatalf("agent add: %d %s", code, stderr)
	}
	// The file audit log: a rotated file and the current one, and two
	// calls that share a client's execution id and their instant but not
	// their outcome (distinct entries, both copied).
	base := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	auditLog, err := gateway.OpenAuditLog(filepath.Join(e.dir, "audit"), "default", gateway.AuditOptions{MaxBytes: 400})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []string{"ok", "ok", "error", "denied", "ok"} {
		at, id := base.Add(time.Duration(i)*time.Minute), fmt.Sprintf("x-%d", i)
		if i == 4 {
			at, id = base.Add(3*time.Minute), "x-3"
		}
		if err := auditLog.Record(&gateway.AuditEntry{Time: at, Tenant: "default", Agent: "bot", Tool: "atlassian_jira_search", ExecutionID: id, Status: st,
			Params: map[string]any{"jql": "project = ABC", "limit": 10.0}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := auditLog.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(e.dir, "audit", "default.*.jsonl")); len(files) == 0 {
		t.Fatal("the audit log did not rotate: the copy would not read a rotated file")
	}
	t.Setenv(tokenstore.KeyEnv, "")
	if code, _, stderr := runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn); code != exitFailure || !strings.Contains(stderr, tokenstore.KeyEnv+" is required") {
		t.Fatalf("copy without a key: exit %d, stderr %s", code, stderr)
	}
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32))
	t.Setenv(tokenstore.KeyEnv, key)
	code, stdout, stderr := runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn)
	if code != exitOK || !strings.Contains(stdout, "Copied connection default") || !strings.Contains(stdout, "schema snapshot copied") ||
		!strings.Contains(stdout, "Copied the agents config") || !strings.Contains(stdout, "1 agent(s)") ||
		!strings.Contains(stdout, "Copied 5 audit entries of tenant default (0 already in the database)") {
		t.Fatalf("copy: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn)
	if code != exitFailure || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "already holds an agents config") ||
		!strings.Contains(stdout, "Copied 0 audit entries of tenant default (5 already in the database)") {
		t.Fatalf("second copy: exit %d\n%s%s", code, stdout, stderr)
	}
	// The table reads back as the files do: same entries, same order.
	fromFiles, err := gateway.ReadAudit(filepath.Join(e.dir, "audit"), "default", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgstore.Open(context.Background(), dsn, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fromDB, err := db.Audit().Read(context.Background(), "default", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fromDB.Entries) != 5 || len(fromFiles.Entries) != 5 {
		t.Fatalf("%d entries in the table, %d in the files, want 5", len(fromDB.Entries), len(fromFiles.Entries))
	}
	for i := range fromFiles.Entries {
		if !reflect.DeepEqual(fromDB.Entries[i], fromFiles.Entries[i]) {
			t.Fatalf("entry %d: table %+v, files %+v", i, fromDB.Entries[i], fromFiles.Entries[i])
		}
	}
	code, stdout, stderr = runCLI(t, "store", "status", "--store", dsn)
	if code != exitOK || !strings.Contains(stdout, "Connections: 1") || !strings.Contains(stdout, "Snapshots:   1") || !strings.Contains(stdout, "Agents:      1") || !strings.Contains(stdout, "Audit rows:  5") || !strings.Contains(stdout, "pending []") {
		t.Fatalf("store status: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ = runCLI(t, "store", "migrate", "--store", dsn); code != exitOK || !strings.Contains(stdout, "up to date") {
		t.Fatalf("store migrate: exit %d %s", code, stdout)
	}
	// The copied tokens work from PostgreSQL: status calls the site.
	t.Setenv(envStore, dsn)
	code, stdout, stderr = runCLI(t, "status")
	if code != exitOK || !strings.Contains(stdout, e.srv.SiteURL) || strings.Contains(stdout+stderr, pair.AccessToken) {
		t.Fatalf("status from postgres: exit %d\n%s%s", code, stdout, stderr)
	}
	// The agent commands work on the database's config.
	steps := []struct {
		args     []string
		code     int
		want     string
		listHas  []string
		listLack []string
	}{
		{[]string{"agent", "add", "--name", "ops", "--tenant", "default", "--profile", "aicos"}, exitOK, "", []string{"bot", "ops"}, nil},
		{[]string{"agent", "add", "--name", "ops", "--tenant", "default", "--profile", "aicos"}, exitFailure, "already exists", []string{"bot", "ops"}, nil},
		{[]string{"agent", "remove", "--name", "bot"}, exitOK, "Removed agent", []string{"ops"}, []string{"bot"}},
		{[]string{"agent", "remove", "--name", "bot"}, exitFailure, "no agent", []string{"ops"}, []string{"bot"}},
		{[]string{"agent", "list", "--config", "x.json"}, exitUsage, "lives in the database", nil, nil},
	}
	for _, st := range steps {
		code, stdout, stderr := runCLI(t, st.args...)
		if code != st.code || !strings.Contains(stdout+stderr, st.want) {
			t.Fatalf("%v: exit %d, want %d with %q\n%s%s", st.args, code, st.code, st.want, stdout, stderr)
		}
		if st.listHas == nil {
			continue
		}
		_, list, _ := runCLI(t, "agent", "list", "--json")
		for _, n := range st.listHas {
			if !strings.Contains(list, `"name": "`+n+`"`) {
				t.Fatalf("after %v: agent list lacks %s:\n%s", st.args, n, list)
			}
		}
		for _, n := range st.listLack {
			if strings.Contains(list, `"name": "`+n+`"`) {
				t.Fatalf("after %v: agent list still has %s:\n%s", st.args, n, list)
			}
		}
	}
}
