package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
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
// and reports calls per second and the calls' p50 and p99 latency (issue
// 12's goal: at least 3,000 calls/s with p99 under 20 ms, server, sandbox
// and clients sharing 2 cores).
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
	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism((clients + 1) / 2) // with GOMAXPROCS 2: 32 goroutines
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	b.RunParallel(func(pb *testing.PB) {
		c := <-pool
		defer func() { pool <- c }()
		var req mcpgo.CallToolRequest
		req.Params.Name = "atlassian_jira_get_issue"
		req.Params.Arguments = map[string]any{"issueKey": "ENG-3", "expand": "transitions"}
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			res, err := c.CallTool(context.Background(), req)
			mine = append(mine, time.Since(t0))
			if err != nil || res.IsError {
				failed.Add(1)
			}
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d calls failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	// CPU per call of the whole process (server, sandbox and clients),
	// which other load on a shared machine does not inflate as it does
	// wall time, and the throughput two cores would give at that cost.
	if cpu > 0 {
		perCall := float64(cpu.Microseconds()) / float64(b.N)
		b.ReportMetric(perCall, "cpu-µs/call")
		b.ReportMetric(2e6/perCall, "calls/s-on-2-cores")
	}
}

// processCPU is this process's CPU time (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
