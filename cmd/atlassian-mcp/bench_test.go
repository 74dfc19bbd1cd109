package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// BenchmarkStartupPhases runs, in process, each step a stdio server takes
// before it can answer tools/list, so the cold-start time can be split
// between them (process start and the runtime's package initialisation are
// what BenchmarkColdStartVsFloor measures on top).
func BenchmarkStartupPhases(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "data")
	sf := &storeFlags{dataDir: dir, connection: "default"}
	logger := slog.New(slog.DiscardHandler)
	cleanup, err := startSandbox(context.Background(), streams{}, sf, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	ctx := context.Background()
	b.Run("open-store", func(b *testing.B) {
		for b.Loop() {
			if _, err := sf.openStore(); err != nil {
				b.Fatal(err)
			}
		}
	})
	store, err := sf.openStore()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("open-site", func(b *testing.B) {
		for b.Loop() {
			if _, err := openSite(ctx, store, sf.connection, logger, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	st, err := openSite(ctx, store, sf.connection, logger, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("audit-log", func(b *testing.B) {
		for b.Loop() {
			a, err := gateway.OpenAuditLog(filepath.Join(dir, "audit"), sf.connection, gateway.AuditOptions{})
			if err != nil {
				b.Fatal(err)
			}
			_ = a.Close()
		}
	})
	b.Run("schema-load", func(b *testing.B) {
		for b.Loop() {
			if _, err := schema.NewCache(dir).Load(sf.connection); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build-tools", func(b *testing.B) {
		for b.Loop() {
			if len(mcp.AllTools(mcp.NewDeps(st))) != 8 {
				b.Fatal("not eight tools")
			}
		}
	})
	st.LoadSchema(ctx, true)
	flags := &toolFlags{}
	b.Run("new-server", func(b *testing.B) {
		for b.Loop() {
			if _, err := mcp.NewServer(mcp.AllTools(mcp.NewDeps(st)), st.Schema, flags.options(mcp.Products(st), logger)); err != nil {
				b.Fatal(err)
			}
		}
	})
	srv, err := mcp.NewServer(mcp.AllTools(mcp.NewDeps(st)), st.Schema, flags.options(mcp.Products(st), logger))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("handshake-and-list", func(b *testing.B) {
		init := []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}` + "\n" +
			`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" + `{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n")
		for b.Loop() {
			var out bytes.Buffer
			if err := srv.ServeStdio(ctx, bytes.NewReader(init), &out); err != nil && !errors.Is(err, io.EOF) {
				b.Fatal(err)
			}
			if !bytes.Contains(out.Bytes(), []byte(`"id":2,"result":{"tools"`)) {
				b.Fatalf("no tools/list answer: %.300s", out.Bytes())
			}
		}
	})
}
