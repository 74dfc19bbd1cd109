package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// harness is a sandbox site, the tools over it with a discovered schema,
// and a real MCP client talking to them over the stdio protocol.
type harness struct {
	t      testing.TB
	site   *sandbox.Server
	deps   *Deps
	server *Server
	client *client.Client
}

// newHarness starts a seeded sandbox (opts change it), discovers its
// schema and connects a client. The tool tests share it.
func newHarness(t testing.TB, opts ...sandbox.Option) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newHarnessWith is newHarness with options for the REST clients.
func newHarnessWith(t testing.TB, clientOpts []atlassian.Option, opts ...sandbox.Option) *harness {
	t.Helper()
	site, deps := newSandboxDeps(t, clientOpts, opts...)
	server, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, site: site, deps: deps, server: server, client: stdioClient(t, server)}
}

// newSandboxDeps starts a seeded sandbox (opts change it) and returns the
// tools' dependencies on it, wired as cmd wires a connection (site.New), with
// its schema discovered.
func newSandboxDeps(t testing.TB, clientOpts []atlassian.Option, opts ...sandbox.Option) (*sandbox.Server, *Deps) {
	t.Helper()
	sb, st := mcptest.Site(t, clientOpts, opts...)
	return sb, NewDeps(st)
}

// call invokes a tool through the client.
func (h *harness) call(name string, args any) *mcpgo.CallToolResult {
	h.t.Helper()
	var req mcpgo.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := h.client.CallTool(context.Background(), req)
	if err != nil {
		h.t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

// callOK invokes a tool that must succeed, decodes its structuredContent
// into out (when non-nil) and returns its text.
func (h *harness) callOK(name string, args, out any) string {
	h.t.Helper()
	res := h.call(name, args)
	if res.IsError {
		h.t.Fatalf("%s(%v) failed: %s", name, args, resultText(res))
	}
	if path := nullIn(res.StructuredContent, "structuredContent"); path != "" {
		h.t.Errorf("%s: %s is null; results omit a property or give an empty list instead", name, path)
	}
	if out != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			h.t.Fatal(err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s: structuredContent %s does not decode: %v", name, raw, err)
		}
	}
	return resultText(res)
}

// callErr invokes a tool that must fail with an isError result and returns
// the error text.
func (h *harness) callErr(name string, args any) string {
	h.t.Helper()
	res := h.call(name, args)
	if !res.IsError {
		h.t.Fatalf("%s(%v) succeeded, want an error; got %s", name, args, resultText(res))
	}
	return resultText(res)
}

func TestHarnessListsTheEightTools(t *testing.T) {
	h := newHarness(t)
	tools := listed(t, h.client)
	for _, name := range []string{
		"atlassian_jira_search", "atlassian_jira_get_issue", "atlassian_jira_create_issue",
		"atlassian_jira_update_issue", "atlassian_jira_manage_issue",
		"atlassian_confluence_search", "atlassian_confluence_get_page", "atlassian_confluence_create_page",
	} {
		if _, ok := tools[name]; !ok {
			t.Errorf("%s is not listed", name)
		}
	}
	if len(tools) != 8 {
		t.Errorf("%d tools listed, want 8", len(tools))
	}
}

// nullIn returns the path of the first null inside a result, or "".
func nullIn(v any, path string) string {
	if raw, ok := v.(json.RawMessage); ok {
		if err := json.Unmarshal(raw, &v); err != nil {
			return ""
		}
	}
	switch v := v.(type) {
	case nil:
		return path
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if p := nullIn(v[k], path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range v {
			if p := nullIn(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}
