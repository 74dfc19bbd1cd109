package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
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
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-tools/op")
		_ = c.Close()
	}
}
