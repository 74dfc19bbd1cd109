package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// BenchmarkStdioColdStart measures what an MCP client waits for when it
// spawns the server: process start, opening the connection and the cached
// schema, the initialize handshake and an answered tools/list. The
// connection points at a sandbox that stays up, as a real site would.
func BenchmarkStdioColdStart(b *testing.B) {
	bin := binary(&testing.T{})
	dir := filepath.Join(b.TempDir(), "data")
	sf := &storeFlags{dataDir: dir, connection: "default"}
	cleanup, err := startSandbox(context.Background(), streams{}, sf, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	env := append(os.Environ(), envDataDir+"="+dir)
	cpu0 := childCPU()
	var toTools time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		c, err := client.NewStdioMCPClient(bin, env, "serve", "--connection", sf.connection, "--log-level", "error")
		if err != nil {
			b.Fatal(err)
		}
		var init mcpgo.InitializeRequest
		init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcpgo.Implementation{Name: "bench", Version: "1"}
		if _, err := c.Initialize(context.Background(), init); err != nil {
			b.Fatal(err)
		}
		res, err := c.ListTools(context.Background(), mcpgo.ListToolsRequest{})
		if err != nil || len(res.Tools) != 8 {
			b.Fatalf("tools/list: %v (%d tools)", err, len(res.Tools))
		}
		toTools += time.Since(start)
		_ = c.Close()
	}
	b.StopTimer()
	// ReportMetric keeps one value per name: the mean over the b.N starts.
	b.ReportMetric(float64(toTools.Microseconds())/1000/float64(b.N), "ms-to-tools/op")
	// The servers' own CPU time (user+sys, whole process lifetimes, exit
	// included), which a loaded machine's scheduling does not inflate.
	if used := childCPU() - cpu0; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
	}
}

// childCPU is the CPU time used by this process's waited-for children.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStartupPhases runs, in process, each step a stdio server takes
// before it can answer tools/list, so the cold-start time can be split
// between them (process start and the runtime's package initialisation are
// what BenchmarkStdioColdStart measures on top).
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
			if _, err := openSite(ctx, store, sf.connection, logger); err != nil {
				b.Fatal(err)
			}
		}
	})
	st, err := openSite(ctx, store, sf.connection, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("audit-log", func(b *testing.B) {
		for b.Loop() {
			a, err := mcp.OpenAuditLog(filepath.Join(dir, "audit"), sf.connection, mcp.AuditOptions{})
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
