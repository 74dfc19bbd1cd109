package mcp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// TestDescriptionsNameOptionsAndProjectDifferences checks that, after
// discovery, the descriptions name the options of a required select field
// and the per-project differences (issue types, priority scheme), and
// that an agent reading only the description creates an OPS Incident and
// an MKT issue with a priority on the first try.
func TestDescriptionsNameOptionsAndProjectDifferences(t *testing.T) {
	h := newHarness(t)
	descs := listed(t, h.client)
	tests := []struct{ tool, want string }{
		{"atlassian_jira_create_issue", "OPS Incident: Severity (Sev 1, Sev 2, Sev 3, Sev 4)"},
		{"atlassian_jira_create_issue", "ENG Bug: Priority"}, // priorities are listed once, in search
		{"atlassian_jira_search", "Issue types: Bug, Task, Story, Epic, Sub-task, Incident (OPS only)"},
		{"atlassian_jira_search", "Priorities: Highest, High, Medium, Low, Lowest; MKT: only High, Medium, Low"},
	}
	for _, tt := range tests {
		if !strings.Contains(descs[tt.tool], tt.want) {
			t.Errorf("%s lacks %q:\n%s", tt.tool, tt.want, descs[tt.tool])
		}
	}

	// First try, from the description alone: the first option of the
	// required field, and the first priority MKT allows.
	m := regexp.MustCompile(`OPS Incident: (\w+) \(([^,)]+)`).FindStringSubmatch(descs["atlassian_jira_create_issue"])
	if m == nil {
		t.Fatal("no required field with options for OPS Incident")
	}
	h.callOK("atlassian_jira_create_issue", map[string]any{"projectKey": "OPS", "issueType": "Incident",
		"summary": "Described incident", "customFields": map[string]any{m[1]: m[2]}}, nil)
	p := regexp.MustCompile(`MKT: only (\w+)`).FindStringSubmatch(descs["atlassian_jira_search"])
	if p == nil {
		t.Fatal("no MKT priority scheme")
	}
	h.callOK("atlassian_jira_create_issue", map[string]any{"projectKey": "MKT", "issueType": "Task",
		"summary": "Described task", "priority": p[1]}, nil)
}

func TestProjectsNote(t *testing.T) {
	ps := func(keys ...string) []*schema.Project {
		out := make([]*schema.Project, len(keys))
		for i, k := range keys {
			out[i] = &schema.Project{Key: k}
		}
		return out
	}
	all := ps("A", "B", "C", "D", "E", "F", "G", "H")
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"A", "B", "C", "D", "E", "F", "G", "H"}, ""},
		{[]string{"C"}, " (C only)"},
		{[]string{"A", "B", "C"}, " (A, B, C only)"},
		{[]string{"A", "B", "C", "D", "E", "F", "G"}, " (not H)"},
		{[]string{"A", "B", "C", "D"}, ""}, // too many either way
	}
	for _, tt := range tests {
		if got := projectsNote(tt.keys, all); got != tt.want {
			t.Errorf("projectsNote(%v) = %q, want %q", tt.keys, got, tt.want)
		}
	}
}

func TestOptionsNote(t *testing.T) {
	many := make([]string, 12)
	for i := range many {
		many[i] = "Team " + string(rune('A'+i))
	}
	tests := []struct {
		f    schema.FieldMeta
		want string
	}{
		{schema.FieldMeta{ID: "customfield_10030", AllowedValues: []string{"Sev 1", "Sev 2"}}, " (Sev 1, Sev 2)"},
		{schema.FieldMeta{ID: "customfield_10001", AllowedValues: many}, " (12 options)"},
		{schema.FieldMeta{ID: "customfield_1", AllowedValues: []string{strings.Repeat("long option ", 8)}}, " (1 option)"},
		{schema.FieldMeta{ID: "priority", AllowedValues: []string{"High"}}, ""},
		{schema.FieldMeta{ID: "customfield_10015"}, ""},
	}
	for _, tt := range tests {
		if got := optionsNote(&tt.f); got != tt.want {
			t.Errorf("optionsNote(%s) = %q, want %q", tt.f.ID, got, tt.want)
		}
	}
}
