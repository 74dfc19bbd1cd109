package main

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
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
	t.Setenv(tokenstore.KeyEnv, "")
	if code, _, stderr := runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn); code != exitFailure || !strings.Contains(stderr, tokenstore.KeyEnv+" is required") {
		t.Fatalf("copy without a key: exit %d, stderr %s", code, stderr)
	}
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32))
	t.Setenv(tokenstore.KeyEnv, key)
	code, stdout, stderr := runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn)
	if code != exitOK || !strings.Contains(stdout, "Copied connection default") || !strings.Contains(stdout, "schema snapshot copied") ||
		!strings.Contains(stdout, "Copied the agents config") || !strings.Contains(stdout, "1 agent(s)") {
		t.Fatalf("copy: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "store", "copy", "--from", e.dir, "--to", dsn); code != exitFailure || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "already holds an agents config") {
		t.Fatalf("second copy: exit %d, stderr %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "store", "status", "--store", dsn)
	if code != exitOK || !strings.Contains(stdout, "Connections: 1") || !strings.Contains(stdout, "Snapshots:   1") || !strings.Contains(stdout, "Agents:      1") || !strings.Contains(stdout, "Audit rows:  0") || !strings.Contains(stdout, "pending []") {
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
