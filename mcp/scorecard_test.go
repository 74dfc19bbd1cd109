package mcp

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The agent scorecard: each scenario makes a mistake an agent makes, reads
// the answer, applies the fix the answer names mechanically (a regular
// expression over the text, nothing the test knows otherwise), and checks
// that the second call succeeds. The count is "first-try success after
// one correction".
func TestAgentScorecard(t *testing.T) {
	h := newHarness(t)
	grab := func(t *testing.T, text, re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("the answer names no fix matching %s:\n%s", re, text)
		}
		return m[1]
	}
	tests := []struct {
		name  string
		tool  string
		first map[string]any
		fix   func(t *testing.T, text string, args map[string]any) map[string]any
		// empty is a mistake answered by an empty result with a hint,
		// not an error.
		empty bool
	}{
		{"space name in CQL", "atlassian_confluence_search", map[string]any{"cql": `type = page AND space = "Operations"`},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["cql"] = `type = page AND space = ` + grab(t, text, `use space = (\w+)`)
				return a
			}, true},
		{"status in update fields", "atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-3", "action": "update_fields", "fields": map[string]any{"status": "Done"}},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				return map[string]any{"issueKey": "ENG-3", "action": grab(t, text, `Use action "(\w+)"`), "transitionName": grab(t, text, `transitionName "([^"]+)"`)}
			}, false},
		{"custom field in update fields", "atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "update_fields", "fields": map[string]any{"Story Points": 5}},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				var cf map[string]any
				if err := json.Unmarshal([]byte(grab(t, text, `customFields: (\{.*\})`)), &cf); err != nil {
					t.Fatal(err)
				}
				delete(a, "fields")
				a["customFields"] = cf
				return a
			}, false},
		{"custom field as a create parameter", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Story", "summary": "Scorecard story", "Story Points": 3},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				var cf map[string]any
				if err := json.Unmarshal([]byte(grab(t, text, `customFields: (\{[^}]*\})`)), &cf); err != nil {
					t.Fatal(err)
				}
				delete(a, "Story Points")
				a["customFields"] = cf
				return a
			}, false},
		{"me in JQL", "atlassian_jira_search", map[string]any{"jql": "project = ENG AND assignee = me"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["jql"] = "project = ENG AND " + grab(t, text, `(assignee = currentUser\(\))`)
				return a
			}, false},
		{"priority not in the project's scheme", "atlassian_jira_create_issue", map[string]any{"projectKey": "MKT", "issueType": "Task", "summary": "Scorecard task", "priority": "Highest"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["priority"] = grab(t, text, `did you mean "(\w+)"`)
				return a
			}, false},
		{"parent page in another space", "atlassian_confluence_create_page", map[string]any{"spaceKey": "ENG", "title": "Scorecard notes", "content": "x", "parentPageId": confPageID(t, h, "TEAM", "Meeting notes")},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["spaceKey"] = grab(t, text, `use spaceKey "(\w+)"`)
				return a
			}, false},
		{"unknown custom field name", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Story", "summary": "Scorecard points", "customFields": map[string]any{"Storypoints": 2}},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["customFields"] = map[string]any{grab(t, text, `(Story Points) \(customfield_`): 2}
				return a
			}, false},
	}
	passed := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.call(tt.tool, tt.first)
			text := resultText(res)
			if tt.empty == res.IsError {
				t.Fatalf("first call: isError=%v: %s", res.IsError, text)
			}
			second := h.call(tt.tool, tt.fix(t, text, tt.first))
			if second.IsError || strings.Contains(resultText(second), "No results") {
				t.Fatalf("after the fix: %s", resultText(second))
			}
			passed++
		})
	}
	t.Logf("first-try success after one correction: %d of %d", passed, len(tests))
}
