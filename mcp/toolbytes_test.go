package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// TestToolListBytes pins, per tool, the bytes tools/list puts before an
// LLM on every turn (description + input schema) and the output schema's
// bytes, for the demo site and for a site of 500 projects, 2,000 custom
// fields and 250 spaces, as a real client lists them after discovery
// against the sandbox. The counts live in testdata/toolbytes/<site>.txt
// (UPDATE_GOLDEN=1 rewrites them) so a regression shows in review; the
// totals must stay within the budgets of issue 12.
func TestToolListBytes(t *testing.T) {
	sites := []struct {
		name   string
		opts   []sandbox.Option
		budget int // description + input schema bytes, all tools
	}{
		{"demo", nil, 10_000},
		{"500-projects", []sandbox.Option{sandbox.WithoutRateLimits(),
			sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 500, Spaces: 250, Pages: 250, Seed: 7})}, 12_000},
	}
	for _, site := range sites {
		t.Run(site.name, func(t *testing.T) {
			_, deps := newSandboxDeps(t, []atlassian.Option{atlassian.WithoutRateLimits()}, site.opts...)
			srv, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := stdioClient(t, srv).ListTools(context.Background(), mcpgo.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%-34s %11s %12s %13s\n", "tool", "description", "input schema", "output schema")
			var desc, in, out int
			for _, tool := range res.Tools {
				input := tool.RawInputSchema
				if input == nil {
					input, _ = json.Marshal(tool.InputSchema)
				}
				output := tool.RawOutputSchema
				if output == nil {
					output, _ = json.Marshal(tool.OutputSchema)
				}
				fmt.Fprintf(&b, "%-34s %11d %12d %13d\n", tool.Name, len(tool.Description), len(input), len(output))
				desc, in, out = desc+len(tool.Description), in+len(input), out+len(output)
			}
			fmt.Fprintf(&b, "%-34s %11d %12d %13d\n", "total", desc, in, out)
			fmt.Fprintf(&b, "read by the LLM (description + input schema): %d bytes, budget %d\n", desc+in, site.budget)
			if desc+in > site.budget {
				t.Errorf("tools/list puts %d bytes before the LLM, budget %d:\n%s", desc+in, site.budget, b.String())
			}
			golden.CheckString(t, filepath.Join("testdata", "toolbytes", site.name+".txt"), b.String())
			saysEachPieceOnce(t, res.Tools, deps.snapshot())
		})
	}
}

// saysEachPieceOnce checks that the site knowledge the descriptions carry
// (the top projects, custom fields, spaces, link phrases and the lists of
// issue types, statuses and priorities) appears in exactly one tool's
// description: nothing dropped, nothing said twice.
func saysEachPieceOnce(t *testing.T, tools []mcpgo.Tool, snap *schema.Snapshot) {
	t.Helper()
	jira := []string{"Issue types: ", "Statuses by category: ", "Priorities: ", "Link phrases "}
	for _, p := range rankedProjects(snap)[:min(3, len(snap.Jira.Projects))] {
		jira = append(jira, p.Key+" - "+p.Name)
	}
	for _, f := range rankedCustomFields(snap)[:3] {
		jira = append(jira, f.Name+" ("+strings.TrimPrefix(f.ID, "customfield_")+", ")
	}
	lt := snap.Jira.LinkTypes[0]
	jira = append(jira, strconv.Quote(lt.Outward)+" / "+strconv.Quote(lt.Inward))
	confluence := []string{"Spaces: "}
	for _, sp := range snap.Confluence.Spaces[:3] {
		confluence = append(confluence, sp.Key+" - "+sp.Name)
	}
	// A Jira project and a Confluence space may share a key and name: each
	// product's pieces are counted in its own tools.
	for product, pieces := range map[string][]string{"atlassian_jira_": jira, "atlassian_confluence_": confluence} {
		for _, piece := range pieces {
			var in []string
			for _, tool := range tools {
				if n := strings.Count(tool.Description, piece); n > 0 && strings.HasPrefix(tool.Name, product) {
					in = append(in, fmt.Sprintf("%s (%d)", tool.Name, n))
				}
			}
			if len(in) != 1 || !strings.HasSuffix(in[0], "(1)") {
				t.Errorf("%q is said in %v, want once in one tool", piece, in)
			}
		}
	}
}
