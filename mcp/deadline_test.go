package mcp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// stallServer is a sandbox (with opts) and a client of a server whose
// calls have deadline timeout.
func stallServer(t testing.TB, timeout time.Duration, opts ...sandbox.Option) (*sandbox.Server, *client.Client) {
	t.Helper()
	site, deps := newSandboxDeps(t, nil, opts...)
	srv, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}, CallTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return site, stdioClient(t, srv)
}

// callTool calls a tool and returns its result text and whether it is an error.
func callTool(t testing.TB, c *client.Client, name string, args map[string]any) (string, bool) {
	t.Helper()
	var req mcpgo.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	return resultText(res), res.IsError
}

func TestCallsEndAtTheirDeadlineWithAStalledAtlassian(t *testing.T) {
	const timeout = 300 * time.Millisecond
	// A stalled request waits until its client gives up: it never answers
	// on its own, so a call that returns was ended by its deadline, with no
	// clock to read.
	untilCanceled := func(ctx context.Context, _ time.Duration) error {
		<-ctx.Done()
		return ctx.Err()
	}
	site, c := stallServer(t, timeout, sandbox.WithSleep(untilCanceled))
	stall := func(method, path string) sandbox.Fault {
		return sandbox.Fault{Method: method, Path: path, Latency: time.Hour}
	}
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		tool  string
		args  map[string]any
		want  []string
	}{
		{"read", stall("GET", "/rest/api/3/issue/*"), "atlassian_jira_get_issue", map[string]any{"issueKey": "OPS-1"},
			[]string{"Jira did not answer within 300ms", "--call-timeout", "Nothing was changed"}},
		{"search", stall("", "/rest/api/3/search/jql"), "atlassian_jira_search", map[string]any{"jql": "project = OPS"},
			[]string{"Jira did not answer within 300ms", "Nothing was changed"}},
		{"confluence read", stall("GET", "/wiki/api/v2/pages/*"), "atlassian_confluence_get_page", map[string]any{"pageId": "1001"},
			[]string{"Confluence did not answer within 300ms"}},
		{"create", stall("POST", "/rest/api/3/issue"), "atlassian_jira_create_issue",
			map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Rotate the \"edge\" certs"},
			[]string{"Jira did not answer within 300ms", "may or may not have reached Jira", `project = OPS AND summary ~ "Rotate the edge certs" AND created >= -15m`}},
		{"comment", stall("POST", "/rest/api/3/issue/*/comment"), "atlassian_jira_manage_issue",
			map[string]any{"issueKey": "OPS-1", "action": "add_comment", "body": "Paged the on-call."},
			[]string{"Jira did not answer within 300ms", "may or may not have been added", "read OPS-1"}},
		{"update", stall("PUT", "/rest/api/3/issue/*"), "atlassian_jira_update_issue",
			map[string]any{"issueKey": "OPS-1", "action": "update_fields", "fields": map[string]any{"summary": "New title"}},
			[]string{"Jira did not answer within 300ms", "The write may have happened", "read OPS-1 with atlassian_jira_get_issue"}},
		{"page create", stall("POST", "/wiki/api/v2/pages"), "atlassian_confluence_create_page",
			map[string]any{"spaceKey": "TEAM", "title": "Offsite notes", "content": "Agenda"},
			[]string{"Confluence did not answer within 300ms", "may have been created", `space = "TEAM" AND type = page AND title ~ "Offsite notes"`}},
		{"rate-limit wait beyond the deadline", sandbox.Fault{Method: "GET", Path: "/rest/api/3/issue/*", Times: 1,
			Status: 429, Header: map[string][]string{"Retry-After": {"30"}}}, "atlassian_jira_get_issue", map[string]any{"issueKey": "OPS-1"},
			[]string{"rate limiting"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site.InjectFault(tc.fault)
			text, isErr := callTool(t, c, tc.tool, tc.args)
			site.ClearFaults()
			if !isErr {
				t.Fatalf("a stalled call succeeded: %s", text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the answer lacks %q:\n%s", w, text)
				}
			}
			if text, isErr := callTool(t, c, "atlassian_jira_search", map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 1}); isErr || !strings.Contains(text, "OPS-1") {
				t.Fatalf("the good call after the deadline: %s", text)
			}
		})
	}
}

func TestCallDeadlinesDefaultByKind(t *testing.T) {
	srv, err := NewServer(testTools(), nil, Options{Products: []Product{Jira, Confluence}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range testTools() {
		want := DefaultReadTimeout
		if tool.Kind != ReadOnly {
			want = DefaultWriteTimeout
		}
		if got := srv.timeoutFor(tool.Name); got != want {
			t.Errorf("%s (%s): deadline %s, want %s", tool.Name, tool.Kind, got, want)
		}
	}
	srv, _ = NewServer(testTools(), nil, Options{Products: []Product{Jira, Confluence}, CallTimeout: 5 * time.Second})
	if got := srv.timeoutFor(testTools()[0].Name); got != 5*time.Second {
		t.Errorf("--call-timeout 5s: deadline %s", got)
	}
}

// BenchmarkDeadlineWithStalledUpstream measures the time from a tool call
// to its deadline error while Atlassian stalls (GET issue held 150 s, as in
// issue 11), with a 1 s call deadline: the figure should be the deadline
// plus a few milliseconds.
func BenchmarkDeadlineWithStalledUpstream(b *testing.B) {
	site, c := stallServer(b, time.Second)
	site.InjectFault(sandbox.Fault{Method: "GET", Path: "/rest/api/3/issue/*", Latency: 150 * time.Second})
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if text, isErr := callTool(b, c, "atlassian_jira_get_issue", map[string]any{"issueKey": "OPS-1"}); !isErr || !strings.Contains(text, "did not answer") {
			b.Fatalf("not a deadline error: %s", text)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s-to-deadline-error")
}
