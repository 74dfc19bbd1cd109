package mcp

import (
	"regexp"
	"strings"
	"testing"
)

// The use cases of the product docs (../shared/PRODUCT.md) that the Jira
// write tools carry, played as an agent would: through the MCP client,
// against the sandbox, checked by reading the site back.

// TestScenarioTriageEmailIntoBug is use case 1: an agent reads a bug report
// from email, creates a Bug in the right project with priority and an
// assignee named by display name, and answers with the new key.
func TestScenarioTriageEmailIntoBug(t *testing.T) {
	h := newHarness(t)
	email := struct{ from, subject, body string }{
		from:    "support@customer.example",
		subject: "Checkout button does nothing on Firefox",
		body: "Hi team,\n\nSince this morning the **Pay now** button on checkout does nothing in Firefox 133.\n" +
			"Steps:\n1. Add any item to the cart\n2. Open checkout\n3. Click *Pay now*\n\nChrome works. This is blocking sales.\n",
	}
	// The agent picked the ENG project (checkout is product engineering), a
	// Bug, High priority, and the frontend owner by name. A first attempt
	// with only a first name that two people share gets the candidates
	// back, and the agent picks one.
	msg := h.callErr("atlassian_jira_create_issue", map[string]any{
		"projectKey": "ENG", "issueType": "Bug", "summary": email.subject, "priority": "High", "assignee": "Chen"})
	if !strings.Contains(msg, "Chen Wei") || !strings.Contains(msg, "Emily Chen") {
		t.Fatalf("the ambiguous assignee did not list the candidates: %s", msg)
	}
	var out jiraCreateIssueResult
	answer := h.callOK("atlassian_jira_create_issue", map[string]any{
		"projectKey":  "ENG",
		"issueType":   "Bug",
		"summary":     email.subject,
		"priority":    "High",
		"assignee":    "Emily Chen",
		"labels":      []any{"from-email", "checkout"},
		"components":  []any{"Frontend"},
		"description": "Reported by " + email.from + ":\n\n" + email.body,
	}, &out)
	if !regexp.MustCompile(`^ENG-[0-9]+$`).MatchString(out.Key) || !strings.Contains(answer, out.Key) || !strings.Contains(answer, "/browse/"+out.Key) {
		t.Fatalf("the answer does not give the new key and link: %q (%+v)", answer, out)
	}
	is := fetchIssue(t, h, out.Key)
	f := is.Fields
	if f.Project.Key != "ENG" || f.IssueType.Name != "Bug" || f.Priority.Name != "High" || f.Assignee.DisplayName != "Emily Chen" ||
		f.Status.Name != "To Do" || len(f.Components) != 1 || f.Components[0].Name != "Frontend" {
		t.Fatalf("created %s: %+v", out.Key, f)
	}
	desc := adfText(f.Description)
	if !strings.Contains(desc, "support@customer.example") || !strings.Contains(desc, "Pay now") || strings.Contains(desc, "**") {
		t.Errorf("description %q", desc)
	}
}

// TestScenarioMoveThroughWorkflow is use case 3: from a conversation, an
// agent starts work on an issue with a comment, logs time, links the
// blocker it mentions, and finishes it.
func TestScenarioMoveThroughWorkflow(t *testing.T) {
	h := newHarness(t)
	const key = "ENG-4" // Task, To Do, "Cut the 2026.12 release"

	// "Jordan is taking the release cut, starting now."
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": key, "action": "both",
		"fields": map[string]any{"assignee": "Jordan Lee"}, "transitionName": "In Progress",
		"transitionComment": "Jordan is cutting the release today."}, nil)
	// "It's waiting on the SSO fix." The phrase is read from ENG-4's side.
	h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": key, "action": "link_issues",
		"linkType": "is blocked by", "targetIssueKey": "ENG-3"}, nil)
	// "Spent two and a half hours on it."
	h.callOK("atlassian_jira_manage_issue", map[string]any{"issueKey": key, "action": "add_worklog",
		"timeSpent": "2h 30m", "worklogComment": "Branch cut and changelog drafted."}, nil)
	// Asking for a status the workflow cannot reach from here lists what can.
	msg := h.callErr("atlassian_jira_update_issue", map[string]any{"issueKey": key, "action": "transition", "transitionName": "In Review"})
	if !strings.Contains(msg, `"Done"`) || !strings.Contains(msg, `"Stop Progress" → To Do`) {
		t.Fatalf("unavailable transition: %s", msg)
	}
	// "Released - close it."
	var done jiraUpdateIssueResult
	h.callOK("atlassian_jira_update_issue", map[string]any{"issueKey": key, "action": "transition",
		"transitionName": "done", "transitionComment": "Released as **2026.12**."}, &done)

	is := fetchIssue(t, h, key)
	f := is.Fields
	if f.Status.Name != "Done" || f.Resolution == nil || f.Assignee == nil || f.Assignee.DisplayName != "Jordan Lee" {
		t.Fatalf("%s: status %+v resolution %+v assignee %+v", key, f.Status, f.Resolution, f.Assignee)
	}
	var comments []string
	for _, c := range f.Comment.Comments {
		comments = append(comments, adfText(c.Body))
	}
	joined := strings.Join(comments, "\n")
	if !strings.Contains(joined, "Jordan is cutting the release today.") || !strings.Contains(joined, "Released as 2026.12.") {
		t.Errorf("comments %q", comments)
	}
	var spent float64
	rawField(t, is, "timespent", &spent)
	if spent < 9000 {
		t.Errorf("time spent %v s, want at least the 2h 30m logged", spent)
	}
	if links := linksOf(t, h, key); !strings.Contains(strings.Join(links, ","), "is blocked by ENG-3") {
		t.Errorf("links %v", links)
	}
}
