package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// TestSandboxHTTPOnPostgresStoresItsConfig: serve --sandbox --http on a
// PostgreSQL store keeps its agents config in the database, as a real
// server does: 'agent list --store' sees the sandbox agent while it runs,
// and a restart on the same database serves that config (the same agent
// token, none printed again) instead of a new one in memory.
func TestSandboxHTTPOnPostgresStoresItsConfig(t *testing.T) {
	dsn := pgtest.DSN(t)
	t.Setenv(tokenstore.KeyEnv, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
	listening := regexp.MustCompile(`at http://127\.0\.0\.1:\d+/mcp`)
	serve := func() (stderr string) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb mcptest.SyncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--sandbox", "--http", "127.0.0.1:0", "--store", dsn, "--data-dir", t.TempDir(), "--log-level", "warn"},
				strings.NewReader(""), &out, &errb)
		}()
		deadline := time.Now().Add(60 * time.Second)
		for !listening.MatchString(errb.String()) {
			select {
			case code := <-done:
				cancel()
				t.Fatalf("serve exited %d before listening:\n%s", code, errb.String())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("serve did not say where it listens:\n%s", errb.String())
			}
		}
		if code, list, stderr := runCLI(t, "agent", "list", "--store", dsn); code != exitOK || !strings.Contains(list, "sandbox") {
			cancel()
			t.Fatalf("agent list --store while the sandbox serves: %d\n%s%s", code, list, stderr)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
		return errb.String()
	}
	first := serve()
	if !strings.Contains(first, "Sandbox agent token") || !strings.Contains(first, "Sandbox agents config stored in") || strings.Contains(first, "Sandbox data directory") {
		t.Fatalf("first start:\n%s", first)
	}
	_, shown, _ := runCLI(t, "config", "show", "--store", dsn)
	if second := serve(); strings.Contains(second, "Sandbox agent token") {
		t.Fatalf("the restart made a new sandbox config instead of serving the stored one:\n%s", second)
	}
	if _, again, _ := runCLI(t, "config", "show", "--store", dsn); again != shown || !strings.Contains(shown, `"name": "sandbox"`) {
		t.Fatalf("the stored config changed across the restart:\n%s\n---\n%s", shown, again)
	}
}
