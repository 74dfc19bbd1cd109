package gateway

import (
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
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
	sb, st := mcptest.Site(t, clientOpts, opts...)
	return sb, mcp.NewDeps(st)
}

// The mcp-go client and result helpers the tool layer's tests use too.
var (
	stdioClient = mcptest.StdioClient
	resultText  = mcptest.ResultText
	listed      = mcptest.Listed
)
