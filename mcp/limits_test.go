package mcp

import (
	"context"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

// TestArgumentLimitsRefuseBeforeAtlassian checks every argument limit and
// local argument error: the answer names the limit or the problem and what
// to do, it never claims an unknown outcome, nothing is written or
// searched upstream, and the next good call is answered.
func TestArgumentLimitsRefuseBeforeAtlassian(t *testing.T) {
	h := newHarness(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"JQL over 10 KB", "atlassian_jira_search", map[string]any{"jql": "project = OPS AND text ~ \"" + long(11000) + "\""},
			[]string{"jql", "10240 bytes", "split it into several searches"}},
		{"CQL over 10 KB", "atlassian_confluence_search", map[string]any{"cql": "text ~ \"" + long(11000) + "\""},
			[]string{"cql", "10240 bytes", "split it into several searches"}},
		{"summary over 255", "atlassian_jira_create_issue", map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": long(256)},
			[]string{"summary", "255"}},
		{"description over 32,767 characters", "atlassian_jira_create_issue",
			map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Big", "description": long(32768)},
			[]string{"description", "32768 characters", "at most 32767", "split it"}},
		{"updated description over the limit", "atlassian_jira_update_issue",
			map[string]any{"issueKey": "OPS-1", "action": "update_fields", "fields": map[string]any{"description": strings.Repeat("é", 40000)}},
			[]string{"fields.description", "40000 characters", "at most 32767"}},
		{"comment over the limit", "atlassian_jira_manage_issue",
			map[string]any{"issueKey": "OPS-1", "action": "add_comment", "body": long(50000)},
			[]string{"body", "at most 32767"}},
		{"worklog comment over the limit", "atlassian_jira_manage_issue",
			map[string]any{"issueKey": "OPS-1", "action": "add_worklog", "timeSpent": "1h", "worklogComment": long(40000)},
			[]string{"worklogComment", "at most 32767"}},
		{"transition comment over the limit", "atlassian_jira_update_issue",
			map[string]any{"issueKey": "OPS-1", "action": "transition", "transitionName": "Mitigate", "transitionComment": long(40000)},
			[]string{"transitionComment", "at most 32767"}},
		{"empty transition comment", "atlassian_jira_update_issue",
			map[string]any{"issueKey": "OPS-1", "action": "transition", "transitionName": "Mitigate", "transitionComment": "  \n "},
			[]string{"transitionComment", "is empty"}},
		{"worklog in words", "atlassian_jira_manage_issue", map[string]any{"issueKey": "OPS-1", "action": "add_worklog", "timeSpent": "2 hours"},
			[]string{"timeSpent", "is not a Jira duration", "2h 30m"}},
		{"worklog of nothing", "atlassian_jira_manage_issue", map[string]any{"issueKey": "OPS-1", "action": "add_worklog", "timeSpent": "0m"},
			[]string{"timeSpent", "at least one minute"}},
		{"comment without body", "atlassian_jira_manage_issue", map[string]any{"issueKey": "OPS-1", "action": "add_comment"},
			[]string{"body", "is required"}},
		{"comment of white space", "atlassian_jira_manage_issue", map[string]any{"issueKey": "OPS-1", "action": "add_comment", "body": " \n\t"},
			[]string{"body", "is required"}},
		{"page without content", "atlassian_confluence_create_page", map[string]any{"spaceKey": "TEAM", "title": "Empty"},
			[]string{"content", "is required", "empty page is not created"}},
		{"page of white space", "atlassian_confluence_create_page", map[string]any{"spaceKey": "TEAM", "title": "Blank", "content": "  \n\n "},
			[]string{"content", "is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.site.ResetRequests()
			got := h.callErr(tc.tool, tc.args)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("the refusal lacks %q:\n%s", w, got)
				}
			}
			for _, bad := range []string{"did not answer", "may or may not", "may have"} {
				if strings.Contains(got, bad) {
					t.Errorf("a local argument error claims an unknown outcome (%q):\n%s", bad, got)
				}
			}
			for _, r := range h.site.Requests() {
				if r.Method != "GET" || strings.Contains(r.Path, "search") {
					t.Errorf("the refused call reached Atlassian: %s %s", r.Method, r.Path)
				}
			}
			h.callOK("atlassian_jira_search", map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 1}, nil)
		})
	}
}

func TestRichTextLimitCountsCharactersNotBytes(t *testing.T) {
	h := newHarness(t)
	// 20,000 two-byte characters: 40,000 bytes, well within 32,767 characters.
	var res struct{ Key string }
	h.callOK("atlassian_jira_create_issue", map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Accents",
		"description": strings.Repeat("é", 20000)}, &res)
	if res.Key == "" {
		t.Fatal("no key")
	}
}

// TestPageLimits checks the ~5 MB page limit, which only a server that
// accepts messages over the default 4 MiB can reach; with the default a
// page that large is refused as a message, and the server serves on.
func TestPageLimits(t *testing.T) {
	site, deps := newSandboxDeps(t, nil)
	page := map[string]any{"spaceKey": "TEAM", "title": "Huge", "content": strings.Repeat("a", 5_000_001)}
	for _, tc := range []struct {
		name       string
		maxMessage int64
		want       string
	}{
		{"default message limit", 0, "request too large"},
		{"8 MiB message limit", 8 << 20, "a page may be at most about 5 MB. Split it into several pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServer(AllTools(deps), deps.Schema, Options{Products: []Product{Jira, Confluence}, MaxRequestBytes: tc.maxMessage})
			if err != nil {
				t.Fatal(err)
			}
			c := stdioClient(t, srv)
			site.ResetRequests()
			var req mcpgo.CallToolRequest
			req.Params.Name, req.Params.Arguments = "atlassian_confluence_create_page", page
			res, err := c.CallTool(context.Background(), req)
			got := ""
			if err != nil {
				got = err.Error()
			} else if res.IsError {
				got = resultText(res)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("a 5 MB page: %v %q", res, got)
			}
			for _, r := range site.Requests() {
				if r.Method != "GET" {
					t.Errorf("the refused page reached Confluence: %s %s", r.Method, r.Path)
				}
			}
			if text, isErr := callTool(t, c, "atlassian_jira_search", map[string]any{"jql": "project = OPS", "maxResults": 1}); isErr {
				t.Fatalf("the good call after the refusal: %s", text)
			}
		})
	}
}
