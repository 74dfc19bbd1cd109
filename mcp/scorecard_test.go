package mcp

import (
	"encoding/json"
	"regexp"
	"strconv"
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
		{"unquoted value with a space in JQL", "atlassian_jira_search", map[string]any{"jql": "project = ENG AND status = In Progress"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["jql"] = grab(t, text, `the query reads: (.+)$`)
				return a
			}, false},
		{"misspelt JQL field", "atlassian_jira_search", map[string]any{"jql": "project = ENG AND stauts = Done"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["jql"] = strings.Replace(a["jql"].(string), grab(t, text, `Field '([^']+)'`), grab(t, text, `Did you mean (\w+)\?`), 1)
				return a
			}, false},
		{"unknown project key", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENGG", "issueType": "Task", "summary": "Scorecard project"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["projectKey"] = grab(t, text, `did you mean "(\w+)"`)
				return a
			}, false},
		{"unknown issue type", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Subtask", "summary": "Scorecard sub-task", "parentKey": "ENG-2"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["issueType"] = grab(t, text, `did you mean "([^"]+)"`)
				return a
			}, false},
		{"unknown field in search fields", "atlassian_jira_search", map[string]any{"jql": "project = ENG", "fields": "Storypoints", "maxResults": 2},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["fields"] = grab(t, text, `did you mean [^(]*\((customfield_\d+)\)`)
				return a
			}, false},
		{"date in another format", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "Scorecard date", "customFields": map[string]any{"Start date": "31/12/2026"}},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["customFields"] = map[string]any{grab(t, text, `customFields\.([^:]+):`): grab(t, text, `did you mean "([^"]+)"`)}
				return a
			}, false},
		{"missing required field", "atlassian_jira_create_issue", map[string]any{"projectKey": "OPS", "issueType": "Incident", "summary": "Scorecard incident"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				// Any of the options named is valid: take the first.
				a["customFields"] = map[string]any{grab(t, text, `customFields \{"([^"]+)"`): grab(t, text, `one of: ([^,)]+)`)}
				return a
			}, false},
		{"transition to a status of another workflow", "atlassian_jira_update_issue", map[string]any{"issueKey": "OPS-2", "action": "transition", "transitionName": "Closed"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["transitionName"] = grab(t, text, `reached with transitionName "([^"]+)"`)
				return a
			}, false},
		{"ambiguous user", "atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-4", "action": "assign", "accountId": "Chen"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				// The error lists each match with its account id: take the first.
				a["accountId"] = grab(t, text, `\(accountId ([^)]+)\)`)
				return a
			}, false},
		{"issue key with a misspelt project", "atlassian_jira_get_issue", map[string]any{"issueKey": "ENGG-3"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["issueKey"] = grab(t, text, `did you mean "([^"]+)"`)
				return a
			}, false},
		{"malformed issue key", "atlassian_jira_get_issue", map[string]any{"issueKey": "ENG 12"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["issueKey"] = grab(t, text, `did you mean "([^"]+)"`)
				return a
			}, false},
		{"paging past the end", "atlassian_jira_search", map[string]any{"jql": "project = MKT ORDER BY key ASC", "startAt": 900},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				n, err := strconv.Atoi(grab(t, text, `starts at startAt (\d+)`))
				if err != nil {
					t.Fatal(err)
				}
				a["startAt"] = n
				return a
			}, true},
		{"misspelt CQL field", "atlassian_confluence_search", map[string]any{"cql": `type = page AND titel ~ "runbook"`},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["cql"] = strings.Replace(a["cql"].(string), grab(t, text, `"(\w+)" is not a CQL field`), grab(t, text, `is not a CQL field; use (\w+)`), 1)
				return a
			}, false},
		{"== in CQL", "atlassian_confluence_search", map[string]any{"cql": `type == page AND space = ENG`},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				m := regexp.MustCompile(`compares with a single (\S+), not (\S+)\.`).FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("the answer names no fix:\n%s", text)
				}
				a["cql"] = strings.ReplaceAll(a["cql"].(string), m[2], m[1])
				return a
			}, false},
		{"space name as spaceKey", "atlassian_confluence_create_page", map[string]any{"spaceKey": "Operations", "title": "Scorecard space", "content": "x"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["spaceKey"] = grab(t, text, `did you mean "(\w+)"`)
				return a
			}, false},
		{"empty content", "atlassian_confluence_create_page", map[string]any{"spaceKey": "ENG", "title": "Scorecard empty", "content": ""},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				// The error names the parameter to fill; the agent writes it.
				a[grab(t, text, `parameter (\w+): is required`)] = "Agenda to follow."
				return a
			}, false},
		{"oversized summary", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": strings.Repeat("Investigate the slow checkout ", 10)},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				limit, err := strconv.Atoi(grab(t, text, `at most (\d+)`))
				if err != nil {
					t.Fatal(err)
				}
				long := a["summary"].(string)
				a[grab(t, text, `put the details in (\w+)`)] = long
				a["summary"] = strings.TrimSpace(long[:limit-1]) + "…"
				return a
			}, false},
		{"duplicate page title", "atlassian_confluence_create_page", map[string]any{"spaceKey": "TEAM", "title": "Meeting notes", "content": "x"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				if grab(t, text, `(Change the title)`) != "" {
					a["title"] = grab(t, text, `A page titled "([^"]+)"`) + " (2)"
				}
				return a
			}, false},
		{"title as pageId", "atlassian_confluence_get_page", map[string]any{"pageId": "Meeting notes"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["pageId"] = grab(t, text, `is pageId "(\d+)"`)
				return a
			}, false},
		{"expand value in capitals", "atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-3", "expand": "CHANGELOG"},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["expand"] = grab(t, text, `did you mean "(\w+)"`)
				return a
			}, false},
		{"label with a space", "atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-4", "action": "add_labels", "labels": []string{"needs review"}},
			func(t *testing.T, text string, a map[string]any) map[string]any {
				a["labels"] = []string{grab(t, text, `e\.g\. "([^"]+)"`)}
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
			if second.IsError || strings.Contains(resultText(second), "No results") || strings.Contains(resultText(second), "past the end") {
				t.Fatalf("after the fix: %s", resultText(second))
			}
			passed++
		})
	}
	t.Logf("first-try success after one correction: %d of %d", passed, len(tests))
}
