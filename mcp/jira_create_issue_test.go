package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// sandboxWrites returns the Jira write requests in the sandbox's log: anything
// but GET, except the POSTs that only read (JQL search, bulk fetch, JQL
// parse, counts).
func sandboxWrites(h *harness) []sandbox.Request {
	var out []sandbox.Request
	for _, r := range h.site.Requests() {
		if r.Method == "GET" || !strings.Contains(r.Path, "/rest/api/") {
			continue
		}
		if strings.HasSuffix(r.Path, "/search/jql") || strings.HasSuffix(r.Path, "/bulkfetch") ||
			strings.HasSuffix(r.Path, "/jql/parse") || strings.HasSuffix(r.Path, "/approximate-count") {
			continue
		}
		out = append(out, r)
	}
	return out
}

// callRejected calls a tool that must fail before writing anything and
// returns the error text.
func callRejected(t *testing.T, h *harness, tool string, args map[string]any) string {
	t.Helper()
	h.site.ResetRequests()
	msg := h.callErr(tool, args)
	if w := sandboxWrites(h); len(w) > 0 {
		t.Errorf("a rejected call wrote: %s %s %s", w[0].Method, w[0].Path, w[0].Body)
	}
	return msg
}

// fetchIssue reads an issue back from the sandbox through the REST client.
func fetchIssue(t *testing.T, h *harness, key string) *atlassian.Issue {
	t.Helper()
	is, err := h.deps.Jira.Issues.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return is
}

// rawField decodes one raw field of an issue.
func rawField(t *testing.T, is *atlassian.Issue, id string, out any) {
	t.Helper()
	raw, ok := is.Fields.Raw[id]
	if !ok {
		t.Fatalf("%s has no field %s", is.Key, id)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s.%s = %s: %v", is.Key, id, raw, err)
	}
}

// adfText is the plain text of an ADF document.
func adfText(raw json.RawMessage) string {
	var walk func(n map[string]any, b *strings.Builder)
	walk = func(n map[string]any, b *strings.Builder) {
		if s, ok := n["text"].(string); ok {
			b.WriteString(s)
		}
		kids, _ := n["content"].([]any)
		for _, k := range kids {
			if m, ok := k.(map[string]any); ok {
				walk(m, b)
			}
		}
	}
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	var b strings.Builder
	walk(doc, &b)
	return b.String()
}

const (
	priyaID  = "5b10ac8d82e05b22cc7d4ef5"
	jordanID = "557058:8c3e1f2a-4b5d-4f6e-a7b8-9c0d1e2f3a4b"
	samID    = "5d53f3cbc6b9320d9ea5bdc2"
)

func TestJiraCreateIssueEveryParameter(t *testing.T) {
	h := newHarness(t)
	h.site.ResetRequests()
	var out jiraCreateIssueResult
	text := h.callOK("atlassian_jira_create_issue", map[string]any{
		"projectKey":  "eng",
		"issueType":   "story",
		"summary":     "  Export invoices as CSV  ",
		"description": "Customers want **CSV** exports.\n\n- monthly\n- yearly",
		"assignee":    "Priya Raman",
		"priority":    "high",
		"labels":      []any{"billing", "export"},
		"components":  []any{"backend", "API"},
		"parentKey":   "ENG-1",
		"customFields": map[string]any{
			"Story Points":        5,
			"customfield_10020":   4,
			"Acceptance Criteria": "- [ ] a CSV downloads",
			"Team":                "platform",
			"Start date":          "2026-12-01",
		},
	}, &out)
	if out.Key == "" || out.ID == "" || out.URL != h.site.SiteURL+"/browse/"+out.Key {
		t.Fatalf("result %+v", out)
	}
	if out.Project != "ENG" || out.IssueType != "Story" || out.Summary != "Export invoices as CSV" || out.Parent != "ENG-1" ||
		out.Assignee == nil || out.Assignee.AccountID != priyaID {
		t.Errorf("result %+v", out)
	}
	if !strings.Contains(text, "Created "+out.Key) || !strings.Contains(text, out.URL) || !strings.Contains(text, "Priya Raman") {
		t.Errorf("text %q", text)
	}
	// Exactly one write: the create, with components as objects.
	writes := sandboxWrites(h)
	if len(writes) != 1 || writes[0].Method != "POST" || !strings.HasSuffix(writes[0].Path, "/rest/api/3/issue") {
		t.Fatalf("writes %+v", writes)
	}
	if !strings.Contains(writes[0].Body, `"components":[{"name":"Backend"},{"name":"API"}]`) {
		t.Errorf("components not sent as objects: %s", writes[0].Body)
	}

	is := fetchIssue(t, h, out.Key)
	f := is.Fields
	if f.Summary != "Export invoices as CSV" || f.IssueType.Name != "Story" || f.Priority.Name != "High" ||
		f.Assignee == nil || f.Assignee.AccountID != priyaID || f.Parent == nil || f.Parent.Key != "ENG-1" {
		t.Fatalf("read back: %+v", f)
	}
	if strings.Join(f.Labels, ",") != "billing,export" || len(f.Components) != 2 || f.Components[0].Name != "Backend" {
		t.Errorf("labels %v components %+v", f.Labels, f.Components)
	}
	if got := adfText(f.Description); !strings.Contains(got, "Customers want CSV exports.") || !strings.Contains(got, "yearly") {
		t.Errorf("description text %q", got)
	}
	var points float64
	rawField(t, is, "customfield_10016", &points)
	var sprints []struct{ ID int }
	rawField(t, is, "customfield_10020", &sprints)
	var team struct{ Value string }
	rawField(t, is, "customfield_10001", &team)
	var start string
	rawField(t, is, "customfield_10015", &start)
	if points != 5 || len(sprints) != 1 || sprints[0].ID != 4 || team.Value != "Platform" || start != "2026-12-01" {
		t.Errorf("custom fields: points %v sprints %v team %q start %q", points, sprints, team.Value, start)
	}
	var ac json.RawMessage
	rawField(t, is, "customfield_10031", &ac)
	if !strings.Contains(string(ac), `"taskList"`) {
		t.Errorf("acceptance criteria is not ADF with a task list: %s", ac)
	}
}

func TestJiraCreateIssueVariants(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name  string
		args  map[string]any
		check func(t *testing.T, is *atlassian.Issue)
	}{
		{"sub-task under a story", map[string]any{"projectKey": "ENG", "issueType": "Sub-task", "summary": "Write the migration", "parentKey": "eng-2"},
			func(t *testing.T, is *atlassian.Issue) {
				if is.Fields.Parent == nil || is.Fields.Parent.Key != "ENG-2" || !is.Fields.IssueType.Subtask {
					t.Errorf("parent %+v type %+v", is.Fields.Parent, is.Fields.IssueType)
				}
			}},
		{"assignee by email", map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Renew the TLS certificate", "assignee": "SAM.OKAFOR@example.com"},
			func(t *testing.T, is *atlassian.Issue) {
				if is.Fields.Assignee == nil || is.Fields.Assignee.AccountID != samID {
					t.Errorf("assignee %+v", is.Fields.Assignee)
				}
			}},
		{"assignee by account id", map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Patch the bastion", "assignee": jordanID},
			func(t *testing.T, is *atlassian.Issue) {
				if is.Fields.Assignee == nil || is.Fields.Assignee.AccountID != jordanID {
					t.Errorf("assignee %+v", is.Fields.Assignee)
				}
			}},
		{"single partial name match", map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "Draft the newsletter", "assignee": "priya"},
			func(t *testing.T, is *atlassian.Issue) {
				if is.Fields.Assignee == nil || is.Fields.Assignee.AccountID != priyaID {
					t.Errorf("assignee %+v", is.Fields.Assignee)
				}
			}},
		{"incident with option, multi-option and textarea fields", map[string]any{"projectKey": "OPS", "issueType": "Incident", "summary": "Search is slow",
			"customFields": map[string]any{"Severity": "sev 2", "Affected services": []any{"Search", "api-gateway"}, "customfield_10033": "Index **rebuild** stalled", "Customer": "Globex"}},
			func(t *testing.T, is *atlassian.Issue) {
				var sev struct{ Value string }
				rawField(t, is, "customfield_10030", &sev)
				var svc []struct{ Value string }
				rawField(t, is, "customfield_10034", &svc)
				var rc json.RawMessage
				rawField(t, is, "customfield_10033", &rc)
				var cust string
				rawField(t, is, "customfield_10032", &cust)
				if sev.Value != "Sev 2" || len(svc) != 2 || svc[0].Value != "search" || adfText(rc) != "Index rebuild stalled" || cust != "Globex" {
					t.Errorf("sev %q services %v root cause %s customer %q", sev.Value, svc, rc, cust)
				}
			}},
		{"sprint by name", map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "Sprint by name", "customFields": map[string]any{"Sprint": "eng sprint 24"}},
			func(t *testing.T, is *atlassian.Issue) {
				var sprints []struct{ ID int }
				rawField(t, is, "customfield_10020", &sprints)
				if len(sprints) != 1 || sprints[0].ID != 4 {
					t.Errorf("sprints %+v, want ENG Sprint 24 (id 4)", sprints)
				}
			}},
		{"system fields by display name in customFields", map[string]any{"projectKey": "ENG", "issueType": "Bug", "priority": "Low", "summary": "Release notes",
			"customFields": map[string]any{"Due date": "2026-12-20", "Fix versions": []any{"2026.12"}, "Environment": "Production *only*"}},
			func(t *testing.T, is *atlassian.Issue) {
				var fix []struct{ Name string }
				rawField(t, is, "fixVersions", &fix)
				var env json.RawMessage
				rawField(t, is, "environment", &env)
				if is.Fields.DueDate != "2026-12-20" || len(fix) != 1 || fix[0].Name != "2026.12" || adfText(env) != "Production only" {
					t.Errorf("due %q fix versions %v environment %s", is.Fields.DueDate, fix, env)
				}
			}},
		{"epic child through parentKey", map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "Record the launch video", "parentKey": "MKT-1", "priority": "Low"},
			func(t *testing.T, is *atlassian.Issue) {
				if is.Fields.Parent == nil || is.Fields.Parent.Key != "MKT-1" || is.Fields.Priority.Name != "Low" {
					t.Errorf("parent %+v priority %+v", is.Fields.Parent, is.Fields.Priority)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out jiraCreateIssueResult
			h.callOK("atlassian_jira_create_issue", tt.args, &out)
			tt.check(t, fetchIssue(t, h, out.Key))
		})
	}
}

func TestJiraCreateIssueRejectsBeforeWriting(t *testing.T) {
	h := newHarness(t)
	base := func(kv ...any) map[string]any {
		m := map[string]any{"projectKey": "ENG", "issueType": "Bug", "summary": "Crash on save", "priority": "High"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unknown project lists keys", base("projectKey", "NOPE"), []string{`parameter projectKey: unknown project "NOPE"`, "ENG", "OPS", "MKT"}},
		{"issue type not in project lists its types", base("issueType", "Incident"), []string{`unknown issue type "Incident" in project ENG`, "Bug, Task, Story, Epic, Sub-task"}},
		{"unknown priority lists the project's", base("projectKey", "MKT", "issueType", "Task", "priority", "Highest"), []string{`unknown priority "Highest" in project MKT; did you mean "High"? Valid: High, Medium, Low`}},
		{"missing required custom field", map[string]any{"projectKey": "OPS", "issueType": "Incident", "summary": "Outage"},
			[]string{"OPS Incident requires fields that were not given: Severity (customfield_10030)", "Sev 1, Sev 2, Sev 3, Sev 4"}},
		{"missing required priority", base("priority", nil), []string{"ENG Bug requires", "Priority (priority) via the priority parameter"}},
		{"unknown custom field", base("customFields", map[string]any{"Story Pointz": 3}), []string{`parameter customFields.Story Pointz: unknown field "Story Pointz"`, "Story Points (customfield_10016)"}},
		{"field not on the screen", base("customFields", map[string]any{"Severity": "Sev 1"}), []string{"Severity (customfield_10030) is not on the create screen of ENG Bug"}},
		{"wrong value type", base("customFields", map[string]any{"Story Points": "five"}), []string{`Story Points (customfield_10016) takes a number, not the string "five"`}},
		{"option not allowed", map[string]any{"projectKey": "OPS", "issueType": "Incident", "summary": "x", "customFields": map[string]any{"Severity": "Sev 0"}},
			[]string{`"Sev 0" is not an allowed value of Severity (customfield_10030); allowed: Sev 1, Sev 2, Sev 3, Sev 4`}},
		{"unknown sprint name", base("customFields", map[string]any{"Sprint": "ENG Sprint 99"}), []string{`Sprint (customfield_10020): no sprint named "ENG Sprint 99" was found`, "give the sprint id"}},
		{"dedicated parameter in customFields", base("customFields", map[string]any{"Labels": []any{"x"}}), []string{"set Labels (labels) with the labels parameter"}},
		{"ambiguous assignee lists candidates", base("assignee", "Chen"), []string{`parameter assignee: "Chen" matches 2 users`,
			"Chen Wei <chen.wei@example.com> (accountId 60a1b2c3d4e5f6a7b8c9d0e1)", "Emily Chen <emily.chen@example.org>"}},
		{"unknown assignee", base("assignee", "Zed Nobody"), []string{`no user matches "Zed Nobody" among the users who can be assigned issues in ENG`}},
		{"deactivated assignee", base("assignee", "riley.former@example.com"), []string{"only deactivated or app accounts match", "Riley Former"}},
		{"sub-task without parent", map[string]any{"projectKey": "ENG", "issueType": "Sub-task", "summary": "x"}, []string{"parameter parentKey: is required", "sub-task"}},
		{"bad parent key", base("parentKey", "ENG 1"), []string{`parameter parentKey: "ENG 1" is not an issue key`}},
		{"label with a space", base("labels", []any{"needs triage"}), []string{`label "needs triage" contains spaces`, `"needs-triage"`}},
		{"unknown component lists them", base("components", []any{"Billing"}), []string{`"Billing" is not a component of ENG; components: Backend, Frontend, API, Mobile, Infrastructure`}},
		{"missing summary", base("summary", " "), []string{"parameter summary: is required"}},
		{"multi-line summary", base("summary", "a\nb"), []string{"parameter summary: must be one line"}},
		{"long summary", base("summary", strings.Repeat("x", 256)), []string{"Jira allows at most 255"}},
		{"missing project", base("projectKey", ""), []string{"parameter projectKey: is required"}},
		{"missing type", base("issueType", nil), []string{"parameter issueType: is required"}},
		{"unknown parameter", base("reporter", "me"), []string{"parameter reporter: unknown parameter"}},
		{"status at create", base("status", "In Progress"), []string{"parameter status: a new issue starts in its workflow's first status", `action "transition"`}},
		{"custom field at the top level", base("Story Points", 3), []string{"parameter Story Points: unknown parameter", `customFields: {"Story Points":3}`}},
		{"wrong JSON type", base("labels", "one"), []string{"parameter labels: expected an array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := callRejected(t, h, "atlassian_jira_create_issue", tt.args)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nlacks %q", msg, w)
				}
			}
		})
	}
}

func TestJiraCreateIssuePassesJiraFieldErrorsWithNames(t *testing.T) {
	h := newHarness(t)
	// ENG-1 is an epic: a story's parent may be one, a sub-task's may not.
	msg := h.callErr("atlassian_jira_create_issue", map[string]any{
		"projectKey": "ENG", "issueType": "Sub-task", "summary": "x", "parentKey": "ENG-1"})
	if !strings.Contains(msg, "Atlassian answered 400") || !strings.Contains(msg, "Parent (parent): ") {
		t.Fatalf("error %q", msg)
	}
	// A missing parent issue: Jira's own words, with the field named.
	msg = h.callErr("atlassian_jira_create_issue", map[string]any{
		"projectKey": "ENG", "issueType": "Task", "summary": "x", "parentKey": "ENG-99999"})
	if !strings.Contains(msg, "Parent (parent): ") {
		t.Fatalf("error %q", msg)
	}
}

func TestJiraCreateIssueInAProjectNewerThanTheSnapshot(t *testing.T) {
	h := newHarness(t)
	// A snapshot from before MKT existed.
	full := h.deps.snapshot()
	stale := &schema.Snapshot{Products: full.Products, Jira: &schema.Jira{Fields: full.Jira.Fields, Priorities: full.Jira.Priorities, LinkTypes: full.Jira.LinkTypes}}
	for _, p := range full.Jira.Projects {
		if p.Key != "MKT" {
			stale.Jira.Projects = append(stale.Jira.Projects, p)
		}
	}
	d := *h.deps
	d.Schema = schema.NewStore(nil, "stale")
	if _, err := d.Schema.Refresh(context.Background(), func(context.Context) (*schema.Snapshot, error) { return stale, nil }); err != nil {
		t.Fatal(err)
	}
	tool := jiraCreateIssueTool(&d)
	res := call(t, tool, map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "Newer than the schema", "customFields": map[string]any{"Customer": "Initech"}})
	if res.IsError {
		t.Fatal(resultText(res))
	}
	// Still validated: against the live issue types and create screen.
	res = call(t, tool, map[string]any{"projectKey": "MKT", "issueType": "Incident", "summary": "x"})
	if !res.IsError || !strings.Contains(resultText(res), `unknown issue type "Incident" in project MKT`) {
		t.Errorf("got %s", resultText(res))
	}
	res = call(t, tool, map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "x", "customFields": map[string]any{"Severity": "Sev 1"}})
	if !res.IsError || !strings.Contains(resultText(res), "is not on the create screen of MKT Task") {
		t.Errorf("got %s", resultText(res))
	}
	// MKT's priority scheme comes from its create screen.
	res = call(t, tool, map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "x", "priority": "highest"})
	if !res.IsError || !strings.Contains(resultText(res), `parameter priority: unknown priority "highest" in project MKT; did you mean "High"? Valid: High, Medium, Low`) {
		t.Errorf("got %s", resultText(res))
	}
	// A project Jira does not know either lists the snapshot's keys.
	res = call(t, tool, map[string]any{"projectKey": "ZZZ", "issueType": "Task", "summary": "x"})
	if !res.IsError || !strings.Contains(resultText(res), `unknown project "ZZZ"; valid: ENG, OPS`) {
		t.Errorf("got %s", resultText(res))
	}
}

func TestJiraCreateIssueIsNeverRetried(t *testing.T) {
	h := newHarness(t)
	args := map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "Only once"}
	for _, f := range []sandbox.Fault{
		{Method: "POST", Path: "/rest/api/3/issue", Times: 1, Status: http.StatusServiceUnavailable},
		{Method: "POST", Path: "/rest/api/3/issue", Times: 1, Status: http.StatusBadGateway},
		{Method: "POST", Path: "/rest/api/3/issue", Times: 1, DropConnection: true},
	} {
		h.site.ResetRequests()
		h.site.InjectFault(f)
		msg := h.callErr("atlassian_jira_create_issue", args)
		creates := 0
		for _, r := range h.site.Requests() {
			if r.Method == "POST" && strings.HasSuffix(r.Path, "/rest/api/3/issue") {
				creates++
			}
		}
		if !strings.Contains(msg, "the issue may exist") || !strings.Contains(msg, `project = OPS AND summary ~ "Only once"`) {
			t.Errorf("fault %+v: error %q does not say the issue may exist and how to look", f, msg)
		}
		if creates != 1 {
			t.Errorf("fault %+v: %d create requests, want exactly 1 (a create is never retried); error %q", f, creates, msg)
		}
		h.site.ClearFaults()
	}
}

func TestJiraCreateIssueWithoutSnapshot(t *testing.T) {
	h := newHarness(t)
	d := *h.deps
	d.Schema = schema.NewStore(nil, "none")
	d.FetchFields = nil
	tool := jiraCreateIssueTool(&d)
	if desc := tool.Describe(nil); !strings.Contains(desc, "Example:") || strings.Contains(desc, "Projects:") {
		t.Errorf("generic description %q", desc)
	}
	res := call(t, tool, map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "No schema yet", "priority": "Low",
		"assignee": "Sam Okafor", "customFields": map[string]any{"customfield_10016": 2}})
	if res.IsError {
		t.Fatal(resultText(res))
	}
	var out jiraCreateIssueResult
	if err := json.Unmarshal(res.StructuredContent.(json.RawMessage), &out); err != nil {
		t.Fatal(err)
	}
	is := fetchIssue(t, h, out.Key)
	if is.Fields.Priority.Name != "Low" || is.Fields.Assignee.AccountID != samID {
		t.Errorf("read back %+v", is.Fields)
	}
	// Jira still validates: its answer comes through.
	res = call(t, tool, map[string]any{"projectKey": "OPS", "issueType": "Nope", "summary": "x"})
	if !res.IsError || !strings.Contains(resultText(res), "issuetype: The issue type selected is invalid.") {
		t.Errorf("got %s", resultText(res))
	}
	res = call(t, tool, map[string]any{"projectKey": "OPS", "issueType": "Task", "summary": "x", "customFields": map[string]any{"Story Points": 2}})
	if !res.IsError || !strings.Contains(resultText(res), "use the field id") {
		t.Errorf("got %s", resultText(res))
	}
}

// TestJiraWriteToolsOnAHugeSite: 500 projects and 2,000 custom fields.
// Descriptions stay within budget, and a create in a project whose create
// screens discovery skipped reads them once, validates against them and
// remembers them.
func TestJiraWriteToolsOnAHugeSite(t *testing.T) {
	h := newHarness(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 600, Spaces: 3, Pages: 3}))
	snap := h.deps.snapshot()
	for _, tool := range []*Tool{jiraSearchTool(h.deps), jiraCreateIssueTool(h.deps), jiraUpdateIssueTool(h.deps), jiraManageIssueTool(h.deps)} {
		for _, s := range []*schema.Snapshot{nil, snap} {
			desc := tool.Describe(s)
			if len(desc) > 2048 {
				t.Errorf("%s: description is %d bytes with snapshot=%v", tool.Name, len(desc), s != nil)
			}
			// The site's lists live in the search tool's description.
			if s != nil && tool.Name == "atlassian_jira_search" && !strings.Contains(desc, "more") {
				t.Errorf("%s: a huge site's lists are not capped: %s", tool.Name, desc)
			}
		}
	}

	var project *schema.Project
	var task *schema.IssueType
	for _, p := range snap.Jira.Projects {
		// A generated project PRJn shows custom fields 7(n-1) to 7(n-1)+24
		// (modulo 2,000): below PRJ280 customfield_11000 is not among them.
		var n int
		if _, err := fmt.Sscanf(p.Key, "PRJ%d", &n); err != nil || n >= 280 {
			continue
		}
		if it, err := p.IssueType("Task"); err == nil && it.Fields == nil {
			project, task = p, it
			break
		}
	}
	if project == nil {
		t.Fatal("discovery read every project's create screens; nothing to fetch on demand")
	}
	metaCalls := func() int {
		n := 0
		for _, r := range h.site.Requests() {
			if strings.Contains(r.Path, "/issue/createmeta/"+project.Key+"/issuetypes/"+task.ID) {
				n++
			}
		}
		return n
	}
	// A field of the site that is not on this project's screen.
	msg := h.callErr("atlassian_jira_create_issue", map[string]any{"projectKey": project.Key, "issueType": "Task", "summary": "x",
		"customFields": map[string]any{"customfield_11000": 1}})
	if !strings.Contains(msg, "is not on the create screen of "+project.Key+" Task") || metaCalls() != 1 {
		t.Fatalf("error %q after %d create-meta reads", msg, metaCalls())
	}
	var out jiraCreateIssueResult
	h.callOK("atlassian_jira_create_issue", map[string]any{"projectKey": project.Key, "issueType": "task", "summary": "On demand",
		"customFields": map[string]any{"Story Points": 2}}, &out)
	if metaCalls() != 1 {
		t.Errorf("the create screen was read %d times, want once", metaCalls())
	}
	if !strings.HasPrefix(out.Key, project.Key+"-") {
		t.Errorf("created %s", out.Key)
	}
}

func TestJiraWriteToolsDescribeTheSite(t *testing.T) {
	h := newHarness(t)
	snap := h.deps.snapshot()
	tests := []struct {
		tool *Tool
		want []string
	}{
		{jiraCreateIssueTool(h.deps), []string{"atlassian_jira_search", "OPS Incident: Severity", `"projectKey":"ENG"`}},
		{jiraUpdateIssueTool(h.deps), []string{"atlassian_jira_search", "update_fields", "transitionName"}},
		{jiraManageIssueTool(h.deps), []string{`"blocks" / "is blocked by"`, "add_watcher", `"blocks" means issueKey blocks targetIssueKey`}},
	}
	for _, tt := range tests {
		desc := tt.tool.Describe(snap)
		for _, w := range tt.want {
			if !strings.Contains(desc, w) {
				t.Errorf("%s description lacks %q:\n%s", tt.tool.Name, w, desc)
			}
		}
	}
}

// createBenchHarness is the harness without rate limits on either side.
func createBenchHarness(b *testing.B) (*harness, *client.Client) {
	b.Helper()
	h := newHarnessWith(b, []atlassian.Option{atlassian.WithoutRateLimits()}, sandbox.WithoutRateLimits())
	return h, h.client
}

// BenchmarkJiraCreateIssue compares one create through the tool (over the
// stdio protocol, and the handler alone) with the same create made
// directly with the REST client against the sandbox. The ratio of the
// tool's ns/op to rest's is the server's per-call overhead.
func BenchmarkJiraCreateIssue(b *testing.B) {
	h, c := createBenchHarness(b)
	ctx := context.Background()
	args := map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "Benchmark task",
		"description": "Steps:\n1. open\n2. save", "priority": "High", "labels": []any{"bench"},
		"customFields": map[string]any{"Story Points": 3}}
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			doc, _ := markdownParamToADF("description", "Steps:\n1. open\n2. save")
			_, err := h.deps.Jira.Issues.Create(ctx, &atlassian.IssueRequest{Fields: map[string]any{
				"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"id": "10001"}, "summary": "Benchmark task",
				"description": doc, "priority": map[string]any{"id": "2"}, "labels": []string{"bench"}, "customfield_10016": 3}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	tool := jiraCreateIssueTool(h.deps)
	b.Run("handler", func(b *testing.B) {
		var req mcpgo.CallToolRequest
		req.Params.Name = tool.Name
		req.Params.Arguments = args
		for b.Loop() {
			res, err := tool.Handler(ctx, req)
			if err != nil || res.IsError {
				b.Fatal(err, resultText(res))
			}
		}
	})
	b.Run("stdio", func(b *testing.B) {
		var req mcpgo.CallToolRequest
		req.Params.Name = tool.Name
		req.Params.Arguments = args
		for b.Loop() {
			res, err := c.CallTool(ctx, req)
			if err != nil || res.IsError {
				b.Fatal(err)
			}
		}
	})
}
