// Package mcptest holds the test helpers the tool layer (mcp) and the
// gateway in front of it share: a seeded sandbox site wired as cmd wires a
// connection, a real mcp-go client over the stdio protocol, and the text of
// a tool result. It imports neither mcp nor gateway, so mcp's own
// (in-package) tests can use it too.
package mcptest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/site"
)

// Site starts a seeded sandbox (opts change it), closed when the test ends,
// and wires a Jira and Confluence site to it as cmd wires a connection
// (site.New, connection "test"), with its schema discovered. A discovery
// that fails even in part fails the test. mcp.NewDeps(st) gives the tools'
// dependencies.
func Site(t testing.TB, clientOpts []atlassian.Option, opts ...sandbox.Option) (*sandbox.Server, *site.Site) {
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
	return sb, st
}

// StdioServer is what StdioClient talks to: an *mcp.Server.
type StdioServer interface {
	ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error
}

// StdioClient connects a real mcp-go client to srv over the stdio protocol
// (through pipes) and initializes the session. The session ends, and the
// server with it, when the test ends.
func StdioClient(t testing.TB, srv StdioServer) *client.Client {
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

// Listed maps the tools the client is offered (tools/list) to their
// descriptions.
func Listed(t testing.TB, c *client.Client) map[string]string {
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

// ResultText is the text of a result's text contents, concatenated.
func ResultText(res *mcpgo.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcpgo.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// SearchCall is a good JSON-RPC tools/call of atlassian_jira_search (two
// OPS issues), one that must still be answered after a refusal.
func SearchCall(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"atlassian_jira_search","arguments":{"jql":"project = OPS ORDER BY key ASC","maxResults":2}}}`, id)
}

// HugeCall is a JSON-RPC tools/call whose JQL makes the message size bytes
// long, for the transports' size limits.
func HugeCall(id, size int) string {
	head := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"atlassian_jira_search","arguments":{"jql":"`, id)
	return head + strings.Repeat("A", size-len(head)-4) + `"}}}`
}

// SyncBuffer is a bytes.Buffer safe to read while a server or command
// writes to it from other goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
