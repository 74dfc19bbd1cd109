package mcp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// linksOf lists an issue's links as its issue view reads them:
// "is blocked by ENG-3", "blocks ENG-4".
func linksOf(t *testing.T, h *harness, key string) []string {
	t.Helper()
	var out []string
	for _, l := range fetchIssue(t, h, key).Fields.IssueLinks {
		phrase, other := atlassian.ReadLink(l)
		out = append(out, phrase+" "+other.Key)
	}
	return out
}

func TestJiraManageIssueLinkDirection(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, a, phrase, b      string
		wantInward, wantOutward string
		aReads, bReads          string
	}{
		// "A blocks B" → inwardIssue A, outwardIssue B (ATLASSIAN.md §2.9);
		// A's view then reads "blocks B" and B's "is blocked by A".
		{"outward phrase", "ENG-20", "blocks", "ENG-21", "ENG-20", "ENG-21", "blocks ENG-21", "is blocked by ENG-20"},
		{"inward phrase swaps", "ENG-22", "is blocked by", "ENG-23", "ENG-23", "ENG-22", "is blocked by ENG-23", "blocks ENG-22"},
		{"type name reads outward", "ENG-24", "Duplicate", "ENG-25", "ENG-24", "ENG-25", "duplicates ENG-25", "is duplicated by ENG-24"},
		{"case and spaces ignored", "ENG-26", "  IS   Cloned BY ", "ENG-27", "ENG-27", "ENG-26", "is cloned by ENG-27", "clones ENG-26"},
		{"symmetric phrase", "OPS-2", "relates to", "MKT-2", "OPS-2", "MKT-2", "relates to MKT-2", "relates to OPS-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.site.ResetRequests()
			var out jiraManageIssueResult
			text := h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": tt.a, "action": "link_issues",
				"targetIssueKey": strings.ToLower(tt.b), "linkType": tt.phrase}, &out)
			if out.Link == nil || out.Link.InwardIssue != tt.wantInward || out.Link.OutwardIssue != tt.wantOutward {
				t.Fatalf("result %+v", out.Link)
			}
			w := sandboxWrites(h)
			if len(w) != 1 || !strings.Contains(w[0].Body, `"inwardIssue":{"key":"`+tt.wantInward+`"}`) ||
				!strings.Contains(w[0].Body, `"outwardIssue":{"key":"`+tt.wantOutward+`"}`) {
				t.Fatalf("sent %+v", w)
			}
			if !strings.Contains(text, "Linked: ") {
				t.Errorf("text %q", text)
			}
			if got := linksOf(t, h, tt.a); !slices.Contains(got, tt.aReads) {
				t.Errorf("%s reads %v, want %q", tt.a, got, tt.aReads)
			}
			if got := linksOf(t, h, tt.b); !slices.Contains(got, tt.bReads) {
				t.Errorf("%s reads %v, want %q", tt.b, got, tt.bReads)
			}
		})
	}
}

func TestJiraManageIssueActions(t *testing.T) {
	h := newHarness(t)
	clock := time.Date(2026, 11, 29, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	h.deps.Now = func() time.Time { return clock }

	t.Run("add_comment", func(t *testing.T) {
		var out jiraManageIssueResult
		h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_comment", "body": "Reproduced on **staging**:\n\n```\n500\n```"}, &out)
		if out.CommentID == "" || out.Action != "add_comment" || out.URL != h.site.SiteURL+"/browse/ENG-5" {
			t.Fatalf("result %+v", out)
		}
		if got := lastComment(t, h, "ENG-5"); got != "Reproduced on staging:500" {
			t.Errorf("comment %q", got)
		}
	})
	t.Run("add_worklog", func(t *testing.T) {
		h.site.ResetRequests()
		var out jiraManageIssueResult
		text := h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_worklog", "timeSpent": "1h30m", "worklogComment": "Pairing with _Sam_"}, &out)
		if out.WorklogID == "" || out.TimeSpent != "1h 30m" || !strings.Contains(text, "Logged 1h 30m on ENG-5") {
			t.Fatalf("result %+v %q", out, text)
		}
		w := sandboxWrites(h)
		if len(w) != 1 {
			t.Fatalf("writes %+v", w)
		}
		var body struct {
			TimeSpent string          `json:"timeSpent"`
			Started   string          `json:"started"`
			Comment   json.RawMessage `json:"comment"`
		}
		if err := json.Unmarshal([]byte(w[0].Body), &body); err != nil {
			t.Fatal(err)
		}
		if body.TimeSpent != "1h 30m" || body.Started != "2026-11-29T09:30:00.000+0100" || adfText(body.Comment) != "Pairing with Sam" {
			t.Errorf("sent %s", w[0].Body)
		}
	})
	t.Run("add_labels and remove_labels", func(t *testing.T) {
		h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_labels", "labels": []any{"api", "perf", "api"}}, nil)
		if got := fetchIssue(t, h, "ENG-5").Fields.Labels; !slices.Contains(got, "api") || !slices.Contains(got, "perf") {
			t.Fatalf("labels %v", got)
		}
		var out jiraManageIssueResult
		h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "remove_labels", "labels": []any{"perf", "never-there"}}, &out)
		got := fetchIssue(t, h, "ENG-5").Fields.Labels
		if !slices.Contains(got, "api") || slices.Contains(got, "perf") || strings.Join(out.Labels, ",") != "perf,never-there" {
			t.Fatalf("labels %v result %+v", got, out)
		}
	})
	t.Run("assign by display name, email and account id", func(t *testing.T) {
		for _, who := range []string{"Sam Okafor", "priya.raman@example.com", jordanID} {
			var out jiraManageIssueResult
			h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "assign", "accountId": who}, &out)
			got := fetchIssue(t, h, "ENG-5").Fields.Assignee
			if got == nil || out.User == nil || got.AccountID != out.User.AccountID {
				t.Fatalf("%s: assignee %+v result %+v", who, got, out.User)
			}
		}
		if got := fetchIssue(t, h, "ENG-5").Fields.Assignee.AccountID; got != jordanID {
			t.Errorf("assignee %s", got)
		}
	})
	t.Run("unassign", func(t *testing.T) {
		h.site.ResetRequests()
		h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "unassign"}, nil)
		if got := fetchIssue(t, h, "ENG-5").Fields.Assignee; got != nil {
			t.Fatalf("assignee %+v", got)
		}
		if w := sandboxWrites(h); len(w) != 1 || w[0].Body != `{"accountId":null}` {
			t.Errorf("sent %+v", w)
		}
	})
	t.Run("add_watcher sends a bare string", func(t *testing.T) {
		h.site.ResetRequests()
		var out jiraManageIssueResult
		text := h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_watcher", "accountId": "Maria Garcia"}, &out)
		w := sandboxWrites(h)
		if len(w) != 1 || w[0].Body != `"557058:d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70"` || !strings.Contains(text, "Maria Garcia now watches ENG-5") {
			t.Fatalf("sent %+v text %q", w, text)
		}
	})
}

func TestJiraManageIssueRejectsBeforeWriting(t *testing.T) {
	h := newHarness(t)
	m := func(action string, kv ...any) map[string]any {
		args := map[string]any{"issueKey": "ENG-5", "action": action}
		for i := 0; i < len(kv); i += 2 {
			args[kv[i].(string)] = kv[i+1]
		}
		return args
	}
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"missing action", map[string]any{"issueKey": "ENG-5"}, []string{"parameter action: is required: one of add_comment, add_worklog, link_issues"}},
		{"unknown action", m("close"), []string{`"close" is not an action`}},
		{"bad issue key", map[string]any{"issueKey": "5-ENG", "action": "unassign"}, []string{"parameter issueKey:", "is not an issue key"}},
		{"comment without body", m("add_comment"), []string{"parameter body: is required for add_comment"}},
		{"comment with blank body", m("add_comment", "body", "  \n"), []string{"parameter body: is required"}},
		{"worklog without time", m("add_worklog"), []string{"parameter timeSpent: is required for add_worklog"}},
		{"invalid timeSpent", m("add_worklog", "timeSpent", "two hours"), []string{`parameter timeSpent: "two hours" is not a Jira duration`, `"2h 30m"`}},
		{"worklog comment in body", m("add_worklog", "timeSpent", "1h", "body", "x"), []string{"parameter body: is not used by action add_worklog (the worklog's comment goes in worklogComment)"}},
		{"link without target", m("link_issues", "linkType", "blocks"), []string{"parameter targetIssueKey: is required for link_issues"}},
		{"link without type", m("link_issues", "targetIssueKey", "ENG-6"), []string{"parameter linkType: is required for link_issues"}},
		{"unknown link type lists the phrases", m("link_issues", "targetIssueKey", "ENG-6", "linkType", "depends on"),
			[]string{`parameter linkType: "depends on" matches no link type`, `"blocks" / "is blocked by" (Blocks)`, `"relates to" / "relates to" (Relates)`}},
		{"link to itself", m("link_issues", "targetIssueKey", "eng-5", "linkType", "blocks"), []string{"cannot be linked to itself"}},
		{"bad target key", m("link_issues", "targetIssueKey", "ENG-6?x=1", "linkType", "blocks"), []string{"parameter targetIssueKey:", "is not an issue key"}},
		{"labels missing", m("add_labels"), []string{"parameter labels: is required for add_labels"}},
		{"labels empty", m("remove_labels", "labels", []any{}), []string{"parameter labels: is required for remove_labels"}},
		{"label with space", m("add_labels", "labels", []any{"two words"}), []string{`label "two words" contains spaces`}},
		{"assign without user", m("assign"), []string{"parameter accountId: is required for assign", "unassign"}},
		{"ambiguous assignee lists candidates", m("assign", "accountId", "Chen"), []string{`parameter accountId: "Chen" matches 2 users among the users who can be assigned ENG-5`, "Chen Wei <chen.wei@example.com>", "Emily Chen <emily.chen@example.org>"}},
		{"unknown user", m("assign", "accountId", "Zed Nobody"), []string{`no user matches "Zed Nobody"`}},
		{"unassign takes no user", m("unassign", "accountId", "Sam"), []string{"parameter accountId: is not used by action unassign; unassign takes no other parameters"}},
		{"watcher without user", m("add_watcher"), []string{"parameter accountId: is required for add_watcher"}},
		{"app account cannot watch", m("add_watcher", "accountId", "Automation for Jira"), []string{"only deactivated or app accounts match"}},
		{"parameter of another action", m("add_comment", "body", "x", "labels", []any{"a"}), []string{"parameter labels: is not used by action add_comment; add_comment takes body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := callRejected(t, h, "atlassian_jira_manage_issue", tt.args)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nlacks %q", msg, w)
				}
			}
		})
	}
}

func TestJiraManageIssueUnknownOutcome(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/rest/api/3/issue/ENG-5/worklog", Times: 1, DropConnection: true})
	msg := h.callErr("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_worklog", "timeSpent": "1h"})
	if !strings.Contains(msg, "Jira did not answer") || !strings.Contains(msg, "The worklog may or may not have been added") {
		t.Errorf("error %q", msg)
	}
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/rest/api/3/issue/ENG-5/comment", Times: 1, Status: 502})
	msg = h.callErr("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_comment", "body": "x"})
	if !strings.Contains(msg, "Atlassian answered 502") || !strings.Contains(msg, "The comment may or may not have been added") {
		t.Errorf("error %q", msg)
	}
	// A plain refusal is only the refusal.
	msg = h.callErr("atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-99999", "action": "add_comment", "body": "x"})
	if strings.Contains(msg, "may or may not") {
		t.Errorf("error %q", msg)
	}
}

func TestJiraManageIssuePassesJiraErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing issue", map[string]any{"issueKey": "ENG-99999", "action": "add_comment", "body": "x"}, "Atlassian answered 404: Issue does not exist or you do not have permission to see it."},
		{"missing link target", map[string]any{"issueKey": "ENG-5", "action": "link_issues", "targetIssueKey": "ENG-99999", "linkType": "blocks"}, "parameter targetIssueKey: issue ENG-99999 does not exist or you may not see it"},
		{"missing link source", map[string]any{"issueKey": "ENG-99999", "action": "link_issues", "targetIssueKey": "ENG-5", "linkType": "blocks"}, "parameter issueKey: issue ENG-99999 does not exist or you may not see it"},
		{"unknown account id", map[string]any{"issueKey": "ENG-5", "action": "assign", "accountId": "557058:00000000-0000-0000-0000-000000000000"}, "Assignee (assignee): Specified user does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := h.callErr("atlassian_jira_manage_issue", tt.args); !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q lacks %q", msg, tt.want)
			}
		})
	}
}
