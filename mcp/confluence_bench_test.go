package mcp

import (
	"context"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// newConfBench is the harness for these benchmarks: a sandbox and REST
// clients without rate limits (the client-side limiter paces at 100 GETs a
// second and would hide the overhead being measured).
func newConfBench(b *testing.B, opts ...sandbox.Option) *harness {
	b.Helper()
	return newHarnessWith(b, []atlassian.Option{atlassian.WithoutRateLimits()},
		append([]sandbox.Option{sandbox.WithoutRateLimits()}, opts...)...)
}

// BenchmarkConfluenceGetPage compares one atlassian_confluence_get_page
// call through an MCP client (stdio protocol) with the REST calls it makes
// when made directly against the sandbox: rest is the same three reads
// (page with storage body and labels, ancestors, ancestor titles in bulk)
// made one after another; rest-get is the page read alone. The ratio of
// tool to rest is the server's per-call overhead (JSON-RPC, argument
// binding, storage to markdown, result encoding), offset by the tool
// reading the page and its ancestors concurrently.
func BenchmarkConfluenceGetPage(b *testing.B) {
	benchGetPage(b, newConfBench(b))
}

// BenchmarkConfluenceGetPageLatency is BenchmarkConfluenceGetPage with 5 ms
// added to every sandbox request, closer to a real site's round trip.
func BenchmarkConfluenceGetPageLatency(b *testing.B) {
	benchGetPage(b, newConfBench(b, sandbox.WithLatency(5*time.Millisecond)))
}

func benchGetPage(b *testing.B, cb *harness) {
	p, ok := cb.site.ConfluencePageByTitle("ENG", "Database failover runbook")
	if !ok {
		b.Fatal("seed page missing")
	}
	ctx := context.Background()
	pages := cb.deps.Confluence.Pages

	b.Run("tool", func(b *testing.B) {
		var req mcpgo.CallToolRequest
		req.Params.Name = "atlassian_confluence_get_page"
		req.Params.Arguments = map[string]any{"pageId": p.ID}
		for b.Loop() {
			res, err := cb.client.CallTool(ctx, req)
			if err != nil || res.IsError {
				b.Fatalf("%v %v", err, res)
			}
		}
	})
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			pg, err := pages.Get(ctx, p.ID, &atlassian.PageGetOptions{BodyFormat: "storage", IncludeLabels: true})
			if err != nil || pg.Body == nil {
				b.Fatal(err)
			}
			anc, err := pages.Ancestors(ctx, p.ID)
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]string, len(anc))
			for i, a := range anc {
				ids[i] = a.ID
			}
			if _, err := pages.GetMany(ctx, ids, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rest-get", func(b *testing.B) {
		for b.Loop() {
			if _, err := pages.Get(ctx, p.ID, &atlassian.PageGetOptions{BodyFormat: "storage", IncludeLabels: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConfluenceSearch is one atlassian_confluence_search call of 25
// results against the same CQL search made directly.
func BenchmarkConfluenceSearch(b *testing.B) {
	cb := newConfBench(b)
	ctx := context.Background()
	const cql = `type = page AND text ~ "policy"`
	b.Run("tool", func(b *testing.B) {
		var req mcpgo.CallToolRequest
		req.Params.Name = "atlassian_confluence_search"
		req.Params.Arguments = map[string]any{"cql": cql}
		for b.Loop() {
			res, err := cb.client.CallTool(ctx, req)
			if err != nil || res.IsError {
				b.Fatalf("%v %v", err, res)
			}
		}
	})
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			if _, err := cb.deps.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{CQL: cql, Limit: 25, Excerpt: "highlight"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
