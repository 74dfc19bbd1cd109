package gateway

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/site"
)

// bothProducts are the products of a seeded sandbox site.
var bothProducts = []mcp.Product{mcp.Jira, mcp.Confluence}

// harness is a sandbox site and the tools' dependencies on it, with its
// schema discovered.
type harness struct {
	site *sandbox.Server
	deps *mcp.Deps
}

// newHarness starts a seeded sandbox (opts change it) and wires the tools
// to it as cmd wires a connection.
func newHarness(t testing.TB, opts ...sandbox.Option) *harness {
	t.Helper()
	sb, deps := newSandboxDeps(t, nil, opts...)
	return &harness{site: sb, deps: deps}
}

// newSandboxDeps starts a seeded sandbox and returns the tools'
// dependencies on it (site.New), with its schema discovered.
func newSandboxDeps(t testing.TB, clientOpts []atlassian.Option, opts ...sandbox.Option) (*sandbox.Server, *mcp.Deps) {
	t.Helper()
	sb := sandbox.NewServer(opts...)
	t.Cleanup(sb.Close)
	st, err := site.New(site.Config{
		HTTPClient: sb.HTTPClient(), APIURL: sb.URL,
		CloudID: sb.CloudID, Name: sb.SiteName, URL: sb.SiteURL,
		Products:      []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence},
		ClientOptions: clientOpts, Connection: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.RefreshSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Failures) > 0 {
		t.Fatalf("discovery failed in part: %+v", snap.Failures)
	}
	return sb, mcp.NewDeps(st)
}

// stdioClient connects a real mcp-go client to srv over the stdio protocol
// (through pipes) and initializes the session.
func stdioClient(t testing.TB, srv *mcp.Server) *client.Client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	toServerR, toServerW := io.Pipe()
	toClientR, toClientW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.ServeStdio(ctx, toServerR, toClientW) }()
	c := client.NewClient(transport.NewIO(toClientR, toServerW, io.NopCloser(strings.NewReader(""))))
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = c.Close()
		toServerW.Close()
		toClientW.Close()
		<-served
	})
	return c
}

// listed maps the tools a client is offered to their descriptions.
func listed(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcpgo.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tool := range res.Tools {
		out[tool.Name] = tool.Description
	}
	return out
}

// resultText is the text of a result's text contents.
func resultText(res *mcpgo.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcpgo.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
