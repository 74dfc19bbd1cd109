package mcp

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

const getIssueTool = "atlassian_jira_get_issue"

func (h *harness) getIssue(args map[string]any) (jiraGetIssueResult, string) {
	h.t.Helper()
	var res jiraGetIssueResult
	text := h.callOK(getIssueTool, args, &res)
	return res, text
}

func TestJiraGetIssueSeededBug(t *testing.T) {
	h := newHarness(t)
	res, text := h.getIssue(map[string]any{"issueKey": "ENG-3"})
	if res.Key != "ENG-3" || res.Type != "Bug" || res.Priority != "Highest" || res.Project != "ENG" ||
		res.Summary != "Login fails with SSO when the email has uppercase letters" {
		t.Fatalf("header: %+v", res)
	}
	if *res.Status != (jiraStatus{Name: "In Review", Category: "In Progress"}) {
		t.Errorf("status %+v", res.Status)
	}
	if res.Assignee == nil || res.Assignee.Name != "Jordan Lee" || res.Assignee.AccountID == "" || res.Reporter == nil || res.Reporter.Name != "Maria Garcia" {
		t.Errorf("people: %+v %+v", res.Assignee, res.Reporter)
	}
	if res.URL != h.site.SiteURL+"/browse/ENG-3" {
		t.Errorf("url %q", res.URL)
	}
	if strings.Join(res.Labels, ",") != "sso,customer-reported" || strings.Join(res.Components, ",") != "Backend" {
		t.Errorf("labels %v components %v", res.Labels, res.Components)
	}
	if !strings.Contains(res.Description, "### Steps to reproduce") || !strings.Contains(res.Description, "1. Configure Okta SSO") ||
		!strings.Contains(res.Description, "`Alex.Morgan@Example.com`") || strings.Contains(res.Description, `"type"`) {
		t.Errorf("description is not markdown:\n%s", res.Description)
	}
	cf, _ := json.Marshal(res.CustomFields)
	if string(cf) != `{"Customer":"Globex Corporation","Sprint":["ENG Sprint 24 (active)"],"Story Points":3,"Team":"Platform"}` {
		t.Errorf("custom fields (non-empty only, by display name): %s", cf)
	}
	if res.CommentsTotal != 3 || len(res.Comments) != 3 || res.Comments[0].Body != "Reproduced on staging." || res.Comments[0].Author != "Jordan Lee" {
		t.Errorf("comments: %d %+v", res.CommentsTotal, res.Comments)
	}
	var tr []string
	for _, x := range res.Transitions {
		tr = append(tr, x.Name+"->"+x.To.Name)
	}
	if strings.Join(tr, ",") != "Done->Done,Request Changes->In Progress" {
		t.Errorf("transitions %v", tr)
	}
	if res.ChangelogTotal != 2 || len(res.Changelog) != 2 || res.Changelog[0].Changes[0] != "status: In Progress → In Review" {
		t.Errorf("changelog (newest first): %+v", res.Changelog)
	}
	if len(res.Links) != 1 || res.Links[0].Relation != "blocks" || res.Links[0].Direction != "outward" || res.Links[0].Issue.Key != "ENG-4" {
		t.Errorf("links: %+v", res.Links)
	}
	for _, s := range []string{"ENG-3 [Bug] Login fails", "Status: In Review [In Progress]", "Assignee: Jordan Lee",
		"- blocks ENG-4 \"Cut the 2026.12 release\"", "Comments (3 most recent of 3):", `"Request Changes" → In Progress`,
		"Recent changes (2 most recent of 2):", "- Story Points: 3", "URL: " + h.site.SiteURL + "/browse/ENG-3"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	// Parent and sub-tasks.
	story, _ := h.getIssue(map[string]any{"issueKey": "ENG-2"})
	if story.Parent == nil || story.Parent.Key != "ENG-1" || len(story.Subtasks) != 1 || story.Subtasks[0].Key != "ENG-5" ||
		story.Subtasks[0].Status.Category != "To Do" {
		t.Errorf("ENG-2 parent %+v subtasks %+v", story.Parent, story.Subtasks)
	}
	if ac, _ := story.CustomFields["Acceptance Criteria"].(string); !strings.HasPrefix(ac, "- Clients over their limit get 429") {
		t.Errorf("ADF textarea as markdown: %q", ac)
	}
}

func TestJiraGetIssueLinkDirection(t *testing.T) {
	h := newHarness(t)
	// Seeded: ENG-3 blocks ENG-4; OPS-1 relates to ENG-6.
	tests := []struct{ key, relation, direction, other string }{
		{"ENG-3", "blocks", "outward", "ENG-4"},
		{"ENG-4", "is blocked by", "inward", "ENG-3"},
		{"OPS-1", "relates to", "outward", "ENG-6"},
		{"ENG-6", "relates to", "inward", "OPS-1"},
	}
	check := func(t *testing.T, key, relation, direction, other string) {
		t.Helper()
		res, text := h.getIssue(map[string]any{"issueKey": key, "fields": "issuelinks", "expand": ""})
		for _, l := range res.Links {
			if l.Issue.Key == other {
				if l.Relation != relation || l.Direction != direction {
					t.Fatalf("%s → %s reads %q (%s), want %q (%s)", key, other, l.Relation, l.Direction, relation, direction)
				}
				if !strings.Contains(text, "- "+relation+" "+other) {
					t.Fatalf("text lacks %q:\n%s", "- "+relation+" "+other, text)
				}
				return
			}
		}
		t.Fatalf("%s has no link to %s: %+v", key, other, res.Links)
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) { check(t, tt.key, tt.relation, tt.direction, tt.other) })
	}
	t.Run("created through REST", func(t *testing.T) {
		// ATLASSIAN.md §2.9: {inwardIssue: A, outwardIssue: B} means "A blocks B".
		err := h.deps.Jira.IssueLinks.Create(context.Background(), &atlassian.IssueLinkRequest{
			Type: atlassian.IssueLinkType{Name: "Blocks"}, InwardIssue: atlassian.IssueKeyRef{Key: "OPS-2"}, OutwardIssue: atlassian.IssueKeyRef{Key: "MKT-2"}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "OPS-2", "blocks", "outward", "MKT-2")
		check(t, "MKT-2", "is blocked by", "inward", "OPS-2")
	})
}

func TestJiraGetIssueParameters(t *testing.T) {
	h := newHarness(t)
	t.Run("expand none", func(t *testing.T) {
		res, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "expand": ""})
		if res.Transitions != nil || res.Changelog != nil || res.Rendered != nil {
			t.Fatalf("expand \"\" still expanded: %+v %+v", res.Transitions, res.Changelog)
		}
	})
	t.Run("expand transitions only, capitalised as the pattern allows", func(t *testing.T) {
		res, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "expand": " Transitions "})
		if len(res.Transitions) != 2 || res.Changelog != nil {
			t.Fatalf("transitions %v changelog %v", res.Transitions, res.Changelog)
		}
	})
	t.Run("renderedFields", func(t *testing.T) {
		res, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "expand": "renderedFields"})
		d := res.Rendered["Description"]
		if !strings.Contains(d, "Steps to reproduce") || strings.Contains(d, "<p>") || res.Rendered["Created"] == "" {
			t.Fatalf("rendered fields as markdown: %v", res.Rendered)
		}
	})
	t.Run("fields by display name", func(t *testing.T) {
		res, _ := h.getIssue(map[string]any{"issueKey": "ENG-2", "fields": "summary, Story Points", "expand": ""})
		cf, _ := json.Marshal(res.CustomFields)
		if res.Summary == "" || string(cf) != `{"Story Points":8}` || res.Status != nil || res.Description != "" {
			t.Fatalf("fields subset: %+v", res)
		}
	})
	t.Run("exclusions only", func(t *testing.T) {
		res, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "fields": "-comment, -Story Points", "expand": ""})
		if res.Summary == "" || res.Status == nil || res.CommentsTotal != 0 || res.CustomFields["Story Points"] != nil || res.CustomFields["Team"] != "Platform" {
			t.Fatalf("all fields but comment and Story Points: %+v", res)
		}
	})
	t.Run("noise only when asked", func(t *testing.T) {
		all, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "expand": ""})
		if _, ok := all.OtherFields["Votes"]; ok {
			t.Fatalf("votes shown by default: %v", all.OtherFields)
		}
		asked, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "fields": "votes", "expand": ""})
		if _, ok := asked.OtherFields["Votes"]; !ok {
			t.Fatalf("asked for votes: %v", asked.OtherFields)
		}
	})
	t.Run("watchers in their own slot", func(t *testing.T) {
		all, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "expand": ""})
		if _, ok := all.OtherFields["Watchers"]; ok || all.Watchers == nil || all.Watchers.Count != 2 {
			t.Fatalf("watchers %+v, other fields %v", all.Watchers, all.OtherFields)
		}
		none, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "fields": "summary", "expand": ""})
		if none.Watchers != nil {
			t.Fatalf("watchers %+v without the watches field", none.Watchers)
		}
	})
	t.Run("numeric id and other case", func(t *testing.T) {
		eng3, _ := h.getIssue(map[string]any{"issueKey": "ENG-3", "fields": "summary", "expand": ""})
		byID, _ := h.getIssue(map[string]any{"issueKey": eng3.ID, "fields": "summary", "expand": ""})
		lower, _ := h.getIssue(map[string]any{"issueKey": "eng-3", "fields": "summary", "expand": ""})
		if byID.Key != "ENG-3" || lower.Key != "ENG-3" {
			t.Fatalf("by id %q, lower case %q", byID.Key, lower.Key)
		}
	})
}

func TestJiraGetIssueErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing key", map[string]any{}, "parameter issueKey: is required"},
		{"not a key", map[string]any{"issueKey": "ENG 3"}, `parameter issueKey: "ENG 3" is not an issue key`},
		{"path in key", map[string]any{"issueKey": "../../myself"}, "is not an issue key"},
		{"does not exist", map[string]any{"issueKey": "ENG-99999"}, "issue ENG-99999 does not exist or you may not see it (Jira: Issue does not exist or you do not have permission to see it.)"},
		{"unknown project", map[string]any{"issueKey": "NOPE-1"}, "does not exist or you may not see it"},
		{"unknown expand", map[string]any{"issueKey": "ENG-3", "expand": "changelog,history"}, `parameter expand: unknown value "history"; valid: changelog, renderedFields, transitions`},
		{"unknown field", map[string]any{"issueKey": "ENG-3", "fields": "Storypoints"}, `unknown field "Storypoints"; did you mean Story Points (customfield_10016)?`},
		{"wrong type", map[string]any{"issueKey": true}, "parameter issueKey: expected a string"},
		{"a number is an issue id", map[string]any{"issueKey": 3}, "parameter issueKey: issue 3 does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.callErr(getIssueTool, tt.args); !strings.Contains(got, tt.want) {
				t.Fatalf("error %q lacks %q", got, tt.want)
			}
		})
	}
}

func TestJiraGetIssueTruncatesAndCounts(t *testing.T) {
	h := newHarness(t)
	key := createJiraTestIssue(t, h, "Many comments", longCodeMarkdown(400)) // ~24,000 characters: over the 8,000 shown, under Jira's 32,767
	ctx := context.Background()
	long := strings.Repeat("word ", 600) // 3,000 characters
	for i := range maxIssueComments + 3 {
		body := "comment " + strconv.Itoa(i)
		if i == maxIssueComments+2 {
			body += " " + long
		}
		doc, err := adf.FromMarkdown(body)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(doc)
		if _, err := h.deps.Jira.Issues.AddComment(ctx, key, &atlassian.CommentRequest{Body: raw}); err != nil {
			t.Fatal(err)
		}
	}
	res, text := h.getIssue(map[string]any{"issueKey": key})
	if _, marker, ok := strings.Cut(res.Description, "\n\n[… truncated: "); !ok || !strings.Contains(marker, "the full text is at "+res.URL) {
		t.Fatalf("description not truncated with a marker: %d chars", len(res.Description))
	}
	if head, _, _ := strings.Cut(res.Description, "\n\n[… truncated"); len([]rune(head)) > issueTextLimit+4 || !strings.HasSuffix(head, "```") {
		t.Fatalf("description kept %d characters (limit %d), fence closed: %v", len([]rune(head)), issueTextLimit, strings.HasSuffix(head, "```"))
	}
	if res.CommentsTotal != maxIssueComments+3 || len(res.Comments) != maxIssueComments {
		t.Fatalf("comments %d of %d, want %d of %d", len(res.Comments), res.CommentsTotal, maxIssueComments, maxIssueComments+3)
	}
	if res.Comments[0].Body != "comment 3" {
		t.Fatalf("the oldest comments should be the ones left out; first shown %q", res.Comments[0].Body)
	}
	last := res.Comments[len(res.Comments)-1].Body
	if !strings.Contains(last, "[… truncated: ") || len([]rune(last)) > commentTextLimit+200 {
		t.Fatalf("long comment: %d chars", len([]rune(last)))
	}
	if !strings.Contains(text, "Comments (10 most recent of 13):") {
		t.Fatalf("text does not count the comments left out")
	}
	// Changelog: more than N change sets keeps the N most recent.
	for i := range maxChangelogEntries + 2 {
		err := h.deps.Jira.Issues.Edit(ctx, key, &atlassian.IssueRequest{Fields: map[string]any{"summary": "Many comments v" + strconv.Itoa(i)}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	res, _ = h.getIssue(map[string]any{"issueKey": key, "expand": "changelog"})
	if len(res.Changelog) != maxChangelogEntries || res.ChangelogTotal < maxChangelogEntries+2 {
		t.Fatalf("changelog %d of %d", len(res.Changelog), res.ChangelogTotal)
	}
	if got := res.Changelog[0].Changes[0]; !strings.HasSuffix(got, "→ Many comments v"+strconv.Itoa(maxChangelogEntries+1)) {
		t.Fatalf("newest change first, got %q", got)
	}
}

func TestJiraGetIssueWithoutSnapshot(t *testing.T) {
	h := newHarness(t)
	d := &Deps{Jira: h.deps.Jira, Schema: schema.NewStore(nil, "empty"), SiteURL: h.deps.SiteURL}
	tool := jiraGetIssueTool(d)
	if desc := tool.Describe(nil); strings.Contains(desc, "is blocked by\"") || !strings.Contains(desc, "PROJ-123") {
		t.Fatalf("generic description:\n%s", desc)
	}
	res := call(t, tool, map[string]any{"issueKey": "ENG-2"})
	if res.IsError {
		t.Fatal(resultText(res))
	}
	var out jiraGetIssueResult
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.CustomFields["Story Points"] != 8.0 || out.CustomFields["Team"] != "Platform" {
		t.Fatalf("custom fields named from Jira's names: %v", out.CustomFields)
	}
}

func TestJiraGetIssueDescriptionWithSnapshot(t *testing.T) {
	h := newHarness(t)
	desc := describeJiraGetIssue(h.deps.snapshot())
	for _, s := range []string{"ENG-123", "this blocks ENG-4", "custom ones by display name", "8000", "10 most recent comments"} {
		if !strings.Contains(desc, s) {
			t.Errorf("description lacks %q:\n%s", s, desc)
		}
	}
	if len(desc) > 2500 {
		t.Errorf("description is %d bytes", len(desc))
	}
}
