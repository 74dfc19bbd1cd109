package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkHTTPThroughput runs 32 streamable-HTTP MCP clients concurrently,
// each calling atlassian_jira_get_issue against the sandbox (both sides'
// rate limiters off, so the server and the sandbox are what is measured),
// and reports calls per second.
func BenchmarkHTTPThroughput(b *testing.B) {
	h := newHarnessWith(b, []atlassian.Option{atlassian.WithoutRateLimits()}, sandbox.WithoutRateLimits())
	handler := h.server.HTTPHandler("/mcp")
	mux := http.NewServeMux()
	mux.Handle("/mcp", handler)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	const clients = 32
	pool := make(chan *client.Client, clients)
	for range clients {
		c, err := client.NewStreamableHttpClient(ts.URL + "/mcp")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		var init mcpgo.InitializeRequest
		init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcpgo.Implementation{Name: "bench", Version: "1"}
		if _, err := c.Initialize(context.Background(), init); err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		pool <- c
	}
	var failed atomic.Int64
	b.SetParallelism((clients + 1) / 2) // with GOMAXPROCS 2: 32 goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := <-pool
		defer func() { pool <- c }()
		var req mcpgo.CallToolRequest
		req.Params.Name = "atlassian_jira_get_issue"
		req.Params.Arguments = map[string]any{"issueKey": "ENG-3", "expand": "transitions"}
		for pb.Next() {
			res, err := c.CallTool(context.Background(), req)
			if err != nil || res.IsError {
				failed.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d calls failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
}
