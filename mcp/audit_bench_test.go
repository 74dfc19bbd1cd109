package mcp

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian/atlassiantest"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// benchDeps are the tools' dependencies on a sandbox without rate limits.
func benchDeps(b *testing.B) *Deps {
	b.Helper()
	site := atlassiantest.NewServer(atlassiantest.WithoutRateLimits())
	b.Cleanup(site.Close)
	hc := site.HTTPClient()
	jira, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(site.URL, site.CloudID), hc, atlassian.WithoutRateLimits())
	if err != nil {
		b.Fatal(err)
	}
	conf, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(site.URL, site.CloudID), hc, atlassian.WithoutRateLimits())
	if err != nil {
		b.Fatal(err)
	}
	disc := &schema.Discoverer{Jira: jira, Confluence: conf, CloudID: site.CloudID, SiteName: site.SiteName,
		SiteURL: site.SiteURL, Products: []string{"jira", "confluence"}}
	store := schema.NewStore(nil, "bench")
	if _, err := store.Refresh(context.Background(), disc.Discover); err != nil {
		b.Fatal(err)
	}
	return &Deps{Jira: jira, Confluence: conf, Schema: store, SiteURL: site.SiteURL}
}

// benchClient serves deps with opts to an in-process stdio client.
func benchClient(b *testing.B, deps *Deps, opts Options) *client.Client {
	b.Helper()
	opts.Products = []Product{Jira, Confluence}
	srv, err := NewServer(AllTools(deps), deps.Schema, opts)
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
	return c
}

// BenchmarkCallAuditOverhead measures one atlassian_jira_get_issue call
// through the MCP client on the sandbox: bare (no guard), guarded without
// an audit log, and guarded with the durable audit log (write + fsync
// before the result returns), serially and with 16 concurrent callers
// whose fsyncs are batched.
func BenchmarkCallAuditOverhead(b *testing.B) {
	deps := benchDeps(b)
	req := callRequest("atlassian_jira_get_issue", map[string]any{"sender": map[string]any{"email": "ana@acme.com"}})
	req.Params.Arguments = map[string]any{"issueKey": "ENG-1"}
	id := &Identity{Agent: "bench", Tenant: "acme", Profile: ProfileAssistant, DefaultTier: Internal, Directory: testDirectory}
	id.Policy, _ = ProfilePolicy(ProfileAssistant)
	variants := []struct {
		name  string
		audit bool
		guard bool
	}{{"bare", false, false}, {"guard", false, true}, {"guard+audit", true, true}}
	for _, v := range variants {
		opts := Options{}
		if v.guard {
			g := &Guard{Tenant: "acme", Default: id}
			if v.audit {
				l, err := OpenAuditLog(b.TempDir(), "acme", AuditOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { l.Close() })
				g.Audit = l
			}
			g.Apply(&opts)
		}
		c := benchClient(b, deps, opts)
		call := func(b *testing.B) {
			res, err := c.CallTool(context.Background(), req)
			if err != nil || res.IsError {
				b.Fatalf("%v %v", err, res)
			}
		}
		b.Run(v.name+"/serial", func(b *testing.B) {
			for b.Loop() {
				call(b)
			}
		})
		b.Run(v.name+"/parallel16", func(b *testing.B) {
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					call(b)
				}
			})
		})
	}
}
