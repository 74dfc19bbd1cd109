package mcp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// lastComment is the plain text of an issue's newest comment.
func lastComment(t *testing.T, h *harness, key string) string {
	t.Helper()
	is := fetchIssue(t, h, key)
	if is.Fields.Comment == nil || len(is.Fields.Comment.Comments) == 0 {
		t.Fatalf("%s has no comments", key)
	}
	cs := is.Fields.Comment.Comments
	return adfText(cs[len(cs)-1].Body)
}

func TestJiraUpdateIssueFields(t *testing.T) {
	h := newHarness(t)
	h.site.ResetRequests()
	var out jiraUpdateIssueResult
	text := h.callOK("atlassian_jira_update_issue", map[string]any{
		"issueKey": "eng-4",
		"action":   "update_fields",
		"fields": map[string]any{
			"summary":     "Cut the 2026.12 release candidate",
			"priority":    "highest",
			"labels":      []any{"release", "q4"},
			"assignee":    "Jordan Lee",
			"description": "## Checklist\n- tag\n- build",
		},
		"customFields": map[string]any{"Story Points": "8", "Due date": "2026-12-18", "Team": "SRE"},
	}, &out)
	if out.IssueKey != "ENG-4" || out.URL != h.site.SiteURL+"/browse/ENG-4" || out.Transition != nil ||
		out.Assignee == nil || out.Assignee.AccountID != jordanID {
		t.Fatalf("result %+v", out)
	}
	for _, f := range []string{"Summary", "Priority", "Labels", "Assignee", "Description", "Story Points", "Due date", "Team"} {
		if !strings.Contains(text, f) {
			t.Errorf("text %q does not list %s", text, f)
		}
	}
	if w := sandboxWrites(h); len(w) != 1 || w[0].Method != "PUT" {
		t.Errorf("writes %+v, want one edit", w)
	}
	is := fetchIssue(t, h, "ENG-4")
	f := is.Fields
	if f.Summary != "Cut the 2026.12 release candidate" || f.Priority.Name != "Highest" || strings.Join(f.Labels, ",") != "release,q4" ||
		f.Assignee.AccountID != jordanID || f.DueDate != "2026-12-18" || !strings.Contains(adfText(f.Description), "Checklist") {
		t.Fatalf("read back %+v", f)
	}
	var points float64
	rawField(t, is, "customfield_10016", &points)
	var team struct{ Value string }
	rawField(t, is, "customfield_10001", &team)
	if points != 8 || team.Value != "SRE" {
		t.Errorf("points %v team %q", points, team.Value)
	}
	// Only customFields, and null clears.
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "update_fields",
		"customFields": map[string]any{"customfield_10016": nil}}, nil)
	if _, ok := fetchIssue(t, h, "ENG-4").Fields.Raw["customfield_10016"]; ok {
		var v any
		rawField(t, fetchIssue(t, h, "ENG-4"), "customfield_10016", &v)
		if v != nil {
			t.Errorf("story points not cleared: %v", v)
		}
	}
}

func TestJiraUpdateIssueTransitions(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, key, transition, comment string
		wantStatus, wantName           string
	}{
		{"by transition name", "ENG-4", "start progress", "", "In Progress", "Start Progress"},
		{"by target status, any case", "ENG-4", "DONE", "Shipped in **2026.12**.", "Done", "Done"},
		{"incident workflow", "OPS-1", "Mitigated", "Rolled back the deploy.", "Mitigated", "Mitigate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"issueKey": tt.key, "action": "transition", "transitionName": tt.transition}
			if tt.comment != "" {
				args["transitionComment"] = tt.comment
			}
			var out jiraUpdateIssueResult
			text := h.callOK("atlassian_jira_update_issue", args, &out)
			if out.Transition == nil || out.Transition.Name != tt.wantName || out.Transition.ToStatus != tt.wantStatus ||
				out.Transition.Commented != (tt.comment != "") || len(out.Updated) != 0 {
				t.Fatalf("result %+v", out)
			}
			if !strings.Contains(text, "moved to "+tt.wantStatus) {
				t.Errorf("text %q", text)
			}
			if got := fetchIssue(t, h, tt.key).Fields.Status.Name; got != tt.wantStatus {
				t.Errorf("status %q, want %q", got, tt.wantStatus)
			}
			if tt.comment != "" {
				want := strings.ReplaceAll(tt.comment, "**", "")
				if got := lastComment(t, h, tt.key); got != want {
					t.Errorf("comment %q, want %q", got, want)
				}
			}
		})
	}
}

func TestJiraUpdateIssueTransitionScreenFields(t *testing.T) {
	h := newHarness(t)
	// A resolution given by name, in any case.
	var out jiraUpdateIssueResult
	text := h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "transition", "transitionName": "Done",
		"customFields": map[string]any{"Resolution": "won't do"}}, &out)
	if out.Transition == nil || strings.Join(out.Transition.Fields, ",") != "Resolution: won't do" || !strings.Contains(text, "setting Resolution: won't do") {
		t.Fatalf("result %+v text %q", out.Transition, text)
	}
	if r := fetchIssue(t, h, "ENG-4").Fields.Resolution; r == nil || r.Name != "Won't Do" {
		t.Fatalf("resolution %+v", r)
	}
	// A required resolution nobody named is the first one offered.
	h.site.ResetRequests()
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": "OPS-2", "action": "transition", "transitionName": "Done"}, &out)
	if strings.Join(out.Transition.Fields, ",") != "Resolution: Done" {
		t.Errorf("fields %v", out.Transition.Fields)
	}
	if w := sandboxWrites(h); len(w) != 1 || !strings.Contains(w[0].Body, `"fields":{"resolution":{"name":"Done"}}`) {
		t.Errorf("sent %+v", w)
	}
	// A custom field on an incident's Resolve screen, as markdown.
	msg := callRejected(t, h, "atlassian_jira_update_issue", map[string]any{"issueKey": "OPS-1", "action": "transition", "transitionName": "Resolved",
		"customFields": map[string]any{"Root Cause": "A **bad** deploy", "resolution": "Fixed"}})
	if !strings.Contains(msg, `"Fixed" is not an allowed value of Resolution (resolution); allowed: Done, Won't Do, Duplicate, Cannot Reproduce`) {
		t.Errorf("error %q", msg)
	}
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": "OPS-1", "action": "transition", "transitionName": "Resolved",
		"customFields": map[string]any{"Root Cause": "A **bad** deploy", "resolution": "duplicate"}}, nil)
	is := fetchIssue(t, h, "OPS-1")
	var rc json.RawMessage
	rawField(t, is, "customfield_10033", &rc)
	if is.Fields.Status.Name != "Resolved" || is.Fields.Resolution.Name != "Duplicate" || adfText(rc) != "A bad deploy" {
		t.Errorf("status %v resolution %v root cause %s", is.Fields.Status, is.Fields.Resolution, rc)
	}
	// Fields a screen does not have, or a transition with no screen.
	msg = callRejected(t, h, "atlassian_jira_update_issue", map[string]any{"issueKey": "OPS-1", "action": "transition", "transitionName": "Close",
		"customFields": map[string]any{"Resolution": "Done"}})
	if !strings.Contains(msg, `transition "Close" has no screen`) {
		t.Errorf("error %q", msg)
	}
	msg = callRejected(t, h, "atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-3", "action": "transition", "transitionName": "Done",
		"customFields": map[string]any{"Severity": "Sev 1"}})
	if !strings.Contains(msg, `Severity (customfield_10030) is not on the screen of transition "Done"`) {
		t.Errorf("error %q", msg)
	}
}

func TestJiraUpdateIssueBoth(t *testing.T) {
	h := newHarness(t)
	h.site.ResetRequests()
	var out jiraUpdateIssueResult
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-3", "action": "both",
		"fields": map[string]any{"priority": "Low"}, "transitionName": "Request Changes", "transitionComment": "Needs a test."}, &out)
	if strings.Join(out.Updated, ",") != "Priority" || out.Transition == nil || out.Transition.ToStatus != "In Progress" {
		t.Fatalf("result %+v", out)
	}
	w := sandboxWrites(h)
	if len(w) != 2 || w[0].Method != "PUT" || !strings.HasSuffix(w[1].Path, "/transitions") {
		t.Fatalf("writes %+v: want the edit, then the transition", w)
	}
	is := fetchIssue(t, h, "ENG-3")
	if is.Fields.Priority.Name != "Low" || is.Fields.Status.Name != "In Progress" || lastComment(t, h, "ENG-3") != "Needs a test." {
		t.Errorf("read back priority %v status %v", is.Fields.Priority, is.Fields.Status)
	}
}

func TestJiraUpdateIssueBothReportsAPartialWrite(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/rest/api/3/issue/ENG-4/transitions", Times: 1, Status: http.StatusConflict})
	msg := h.callErr("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "both",
		"fields": map[string]any{"summary": "Renamed before the failed move"}, "transitionName": "Start Progress"})
	for _, want := range []string{"the fields WERE updated (Summary)", `the transition "Start Progress" failed`, "409", "Retry only the transition"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	is := fetchIssue(t, h, "ENG-4")
	if is.Fields.Summary != "Renamed before the failed move" || is.Fields.Status.Name != "To Do" {
		t.Errorf("state: summary %q status %q", is.Fields.Summary, is.Fields.Status.Name)
	}
	// A failed edit stops before the transition.
	h.site.InjectFault(sandbox.Fault{Method: "PUT", Path: "/rest/api/3/issue/ENG-4", Times: 1, Status: http.StatusConflict})
	h.site.ResetRequests()
	msg = h.callErr("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "both",
		"fields": map[string]any{"summary": "x"}, "transitionName": "Start Progress"})
	if !strings.Contains(msg, "Nothing was changed") {
		t.Errorf("error %q", msg)
	}
	for _, r := range sandboxWrites(h) {
		if strings.HasSuffix(r.Path, "/transitions") {
			t.Errorf("transitioned after a failed edit")
		}
	}
}

func TestJiraUpdateIssueRejectsBeforeWriting(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unavailable transition lists the available ones", map[string]any{"issueKey": "ENG-3", "action": "transition", "transitionName": "Start Progress"},
			[]string{`no transition "Start Progress" is available for ENG-3 from its current status "In Review"`, `"Done"`, `"Request Changes" → In Progress`}},
		{"already in the status", map[string]any{"issueKey": "ENG-3", "action": "transition", "transitionName": "in review"},
			[]string{`ENG-3 is already in status "In Review"`}},
		{"both with an unavailable transition writes nothing", map[string]any{"issueKey": "ENG-3", "action": "both", "fields": map[string]any{"summary": "x"}, "transitionName": "Reopen"},
			[]string{`no transition "Reopen"`}},
		{"missing action", map[string]any{"issueKey": "ENG-3"}, []string{"parameter action: is required: update_fields, transition or both"}},
		{"unknown action", map[string]any{"issueKey": "ENG-3", "action": "close"}, []string{`"close" is not an action`}},
		{"update_fields without fields", map[string]any{"issueKey": "ENG-3", "action": "update_fields"}, []string{"parameter fields: is required for action update_fields"}},
		{"both without fields", map[string]any{"issueKey": "ENG-3", "action": "both", "transitionName": "Done", "fields": map[string]any{}}, []string{"parameter fields: is required for action both"}},
		{"transition without a name", map[string]any{"issueKey": "ENG-3", "action": "transition"}, []string{"parameter transitionName: is required for action transition"}},
		{"both without a name", map[string]any{"issueKey": "ENG-3", "action": "both", "fields": map[string]any{"summary": "x"}}, []string{"parameter transitionName: is required for action both"}},
		{"fields with transition", map[string]any{"issueKey": "ENG-3", "action": "transition", "transitionName": "Done", "fields": map[string]any{"summary": "x"}}, []string{"only used by update_fields and both"}},
		{"transitionName with update_fields", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"summary": "x"}, "transitionName": "Done"}, []string{"parameter transitionName: is only used by transition and both"}},
		{"comment without transition", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"summary": "x"}, "transitionComment": "hi"}, []string{"parameter transitionComment", "add_comment"}},
		{"invalid issue key", map[string]any{"issueKey": "ENG-3/../1", "action": "transition", "transitionName": "Done"}, []string{"parameter issueKey:", "is not an issue key"}},
		{"missing issue key", map[string]any{"action": "transition", "transitionName": "Done"}, []string{"parameter issueKey: is required"}},
		{"unknown priority of the project", map[string]any{"issueKey": "MKT-2", "action": "update_fields", "fields": map[string]any{"priority": "Highest"}}, []string{`parameter fields.priority: unknown priority "Highest" in project MKT; did you mean "High"? Valid: High, Medium, Low`}},
		{"unknown custom field", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "customFields": map[string]any{"Storypoints": 1}}, []string{`parameter customFields.Storypoints: unknown field "Storypoints"`, "Story Points (customfield_10016)"}},
		{"wrong value type", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "customFields": map[string]any{"Start date": "next week"}}, []string{`Start date (customfield_10015) takes a date "YYYY-MM-DD"`}},
		{"option not allowed in the project", map[string]any{"issueKey": "OPS-1", "action": "update_fields", "customFields": map[string]any{"Severity": "Critical"}}, []string{`"Critical" is not an allowed value of Severity (customfield_10030)`}},
		{"status in customFields", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "customFields": map[string]any{"Status": "Done"}}, []string{"cannot be changed here"}},
		{"field set twice", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"summary": "a"}, "customFields": map[string]any{"Summary": "b"}}, []string{"is also set in fields"}},
		{"ambiguous assignee", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"assignee": "chen"}}, []string{`parameter fields.assignee: "chen" matches 2 users`, "Chen Wei", "Emily Chen"}},
		{"unknown assignee", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"assignee": "nobody@example.com"}}, []string{`no user matches "nobody@example.com"`, "email only exactly"}},
		{"label with space", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"labels": []any{"a b"}}}, []string{`label "a b" contains spaces`}},
		{"unknown nested field", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"duedate": "2026-01-01"}}, []string{"fields.duedate", "fields takes only summary, priority, labels, assignee and description", `customFields: {"duedate":"2026-01-01"}`}},
		{"status in fields", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"status": "Done"}}, []string{"parameter fields.status: the status is not a field", `Use action "transition"`, `transitionName "Done"`}},
		{"custom field in fields", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"Story Points": 5}}, []string{"parameter fields.Story Points:", `customFields: {"Story Points":5}`}},
		{"field at the top level", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "summary": "x"}, []string{"parameter summary: summary goes inside fields", `fields: {"summary":"x"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := callRejected(t, h, "atlassian_jira_update_issue", tt.args)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nlacks %q", msg, w)
				}
			}
		})
	}
}

func TestJiraUpdateIssueMissingIssue(t *testing.T) {
	h := newHarness(t)
	msg := h.callErr("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-99999", "action": "transition", "transitionName": "Done"})
	if !strings.Contains(msg, "Atlassian answered 404") || !strings.Contains(msg, "Issue does not exist") {
		t.Fatalf("error %q", msg)
	}
	// The edit's field errors carry display names.
	msg = h.callErr("atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-3", "action": "update_fields",
		"customFields": map[string]any{"Severity": "Sev 1"}})
	if !strings.Contains(msg, "Severity (customfield_10030): ") {
		t.Fatalf("error %q", msg)
	}
}
