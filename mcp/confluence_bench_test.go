package mcp

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian/atlassiantest"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// confBench is the harness for benchmarks (newHarness takes a *testing.T):
// a sandbox without rate limits, the tools with a discovered schema, and an
// MCP client over the stdio protocol.
type confBench struct {
	site   *atlassiantest.Server
	deps   *Deps
	client *client.Client
}

func newConfBench(b *testing.B, opts ...atlassiantest.Option) *confBench {
	b.Helper()
	site := atlassiantest.NewServer(append([]atlassiantest.Option{atlassiantest.WithoutRateLimits()}, opts...)...)
	b.Cleanup(site.Close)
	hc := site.HTTPClient()
	// No client-side limiter: it paces at 100 GETs a second and would hide
	// the overhead being measured.
	conf, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(site.URL, site.CloudID), hc, atlassian.WithoutRateLimits())
	if err != nil {
		b.Fatal(err)
	}
	jira, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(site.URL, site.CloudID), hc, atlassian.WithoutRateLimits())
	if err != nil {
		b.Fatal(err)
	}
	disc := &schema.Discoverer{Jira: jira, Confluence: conf, CloudID: site.CloudID, SiteName: site.SiteName,
		SiteURL: site.SiteURL, Products: []string{"jira", "confluence"}}
	store := schema.NewStore(nil, "bench")
	if _, err := store.Refresh(context.Background(), disc.Discover); err != nil {
		b.Fatal(err)
	}
	deps := &Deps{Jira: jira, Confluence: conf, Schema: store, SiteURL: site.SiteURL}
	srv, err := NewServer(AllTools(deps), store, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	toServerR, toServerW := io.Pipe()
	toClientR, toClientW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.ServeStdio(ctx, toServerR, toClientW) }()
	c := client.NewClient(transport.NewIO(toClientR, toServerW, io.NopCloser(strings.NewReader(""))))
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "bench", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		_ = c.Close()
		toServerW.Close()
		toClientW.Close()
		<-served
	})
	return &confBench{site: site, deps: deps, client: c}
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
	benchGetPage(b, newConfBench(b, atlassiantest.WithLatency(5*time.Millisecond)))
}

func benchGetPage(b *testing.B, cb *confBench) {
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
			if _, err := cb.deps.Confluence.Search.CQL(ctx, atlassian.CQLOptions{CQL: cql, Limit: 25, Excerpt: "highlight"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
