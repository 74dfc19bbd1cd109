package mcp

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// The mcp-go client and result helpers the gateway's tests use too.
var (
	stdioClient = mcptest.StdioClient
	resultText  = mcptest.ResultText
	listed      = mcptest.Listed
)

func testTools() []*Tool {
	describe := func(name string) func(*schema.Snapshot) string {
		return func(s *schema.Snapshot) string {
			if s == nil {
				return name + " (generic)"
			}
			return name + " for projects " + strings.Join(s.ProjectKeys(), ", ")
		}
	}
	run := func(_ context.Context, in *echoArgs) (echoResult, error) {
		if in.Text == "panic" {
			panic("boom")
		}
		return echoResult{Echo: in.Text}, nil
	}
	return []*Tool{
		newTool("jira_read", "Read", Jira, ReadOnly, describe("jira_read"), run),
		newTool("jira_write", "Write", Jira, Destructive, describe("jira_write"), run),
		newTool("conf_read", "Conf", Confluence, ReadOnly, describe("conf_read"), run),
	}
}

func TestServerSelectsToolsByProductAndOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"both products", Options{Products: []Product{Jira, Confluence}}, []string{"conf_read", "jira_read", "jira_write"}},
		{"jira only", Options{Products: []Product{Jira}}, []string{"jira_read", "jira_write"}},
		{"read-only", Options{Products: []Product{Jira, Confluence}, ReadOnly: true}, []string{"conf_read", "jira_read"}},
		{"tools", Options{Products: []Product{Jira, Confluence}, Tools: []string{"jira_write"}}, []string{"jira_write"}},
		{"exclude", Options{Products: []Product{Jira, Confluence}, ExcludeTools: []string{"jira_write"}}, []string{"conf_read", "jira_read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := NewServer(testTools(), nil, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Offered()
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("offered %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := NewServer(testTools(), nil, Options{Tools: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "the tools are jira_read, jira_write, conf_read") {
		t.Errorf("unknown tool name: %v", err)
	}
}

func TestServerReregistersOnRefreshAndNotifies(t *testing.T) {
	store := schema.NewStore(nil, "default")
	srv, err := NewServer(testTools(), store, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		t.Fatal(err)
	}
	c := stdioClient(t, srv)
	var changed atomic.Int32
	c.OnNotification(func(n mcpgo.JSONRPCNotification) {
		if n.Method == string(mcpgo.MethodNotificationToolsListChanged) {
			changed.Add(1)
		}
	})
	if got := listed(t, c)["jira_read"]; got != "jira_read (generic)" {
		t.Fatalf("before discovery: %q", got)
	}
	_, err = store.Refresh(context.Background(), func(context.Context) (*schema.Snapshot, error) {
		return &schema.Snapshot{Products: []atlassian.Product{atlassian.ProductJira}, Jira: &schema.Jira{Projects: []*schema.Project{{Key: "ENG"}, {Key: "OPS"}}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for changed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if changed.Load() == 0 {
		t.Fatal("no notifications/tools/list_changed after the refresh")
	}
	tools := listed(t, c)
	if tools["jira_read"] != "jira_read for projects ENG, OPS" {
		t.Errorf("after refresh: %q", tools["jira_read"])
	}
	if _, ok := tools["conf_read"]; ok {
		t.Error("the refreshed snapshot has no Confluence, but its tool is still offered")
	}
}

func TestServerRecoversPanics(t *testing.T) {
	srv, err := NewServer(testTools(), nil, Options{Products: []Product{Jira}})
	if err != nil {
		t.Fatal(err)
	}
	c := stdioClient(t, srv)
	var req mcpgo.CallToolRequest
	req.Params.Name = "jira_read"
	req.Params.Arguments = map[string]any{"text": "panic"}
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("panic reached the protocol: %v", err)
	}
	if !res.IsError || !strings.Contains(resultText(res), "internal error in jira_read") {
		t.Fatalf("got %+v", res)
	}
	req.Params.Arguments = map[string]any{"text": "fine"}
	if res, err := c.CallTool(context.Background(), req); err != nil || res.IsError || resultText(res) != "fine" {
		t.Fatalf("server unusable after a panic: %v %+v", err, res)
	}
}
