package sandbox

import (
	"strings"
	"testing"
)

// TestJiraRefusesWhatJiraRefuses checks the sandbox's validation against
// Jira Cloud's limits: text fields over 32,767 characters and components
// the project does not have are refused with Jira's messages, and nothing
// is stored.
func TestJiraRefusesWhatJiraRefuses(t *testing.T) {
	c := newJiraTest(t)
	big := adf(strings.Repeat("x", 32800))
	task := func(extra map[string]any) map[string]any {
		f := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Story"}, "summary": "Limits"}
		for k, v := range extra {
			f[k] = v
		}
		return map[string]any{"fields": f}
	}
	tests := []struct {
		name, method, path string
		body               any
		field, msg         string
	}{
		{"create with a 32,800-character description", "POST", "/issue", task(map[string]any{"description": big}), "description", jMsgTextTooLong},
		{"create with a long multi-line custom field", "POST", "/issue", task(map[string]any{fieldAcceptance: big}), fieldAcceptance, jMsgTextTooLong},
		{"create with an unknown component", "POST", "/issue", task(map[string]any{"components": []any{map[string]any{"name": "Nope"}}}),
			"components", "Component name 'Nope' is not valid"},
		{"edit with a long description", "PUT", "/issue/ENG-1", map[string]any{"fields": map[string]any{"description": big}}, "description", jMsgTextTooLong},
		{"edit with an unknown component", "PUT", "/issue/ENG-1", map[string]any{"fields": map[string]any{"components": []any{map[string]any{"name": "Nope"}}}},
			"components", "Component name 'Nope' is not valid"},
		{"a long comment", "POST", "/issue/ENG-1/comment", map[string]any{"body": big}, "comment", jMsgTextTooLong},
		{"a long worklog comment", "POST", "/issue/ENG-1/worklog", map[string]any{"timeSpent": "1h", "comment": big}, "comment", jMsgTextTooLong},
	}
	before := c.issue("ENG-1", "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.do(tc.method, tc.path, tc.body).wantError(t, 400, "", tc.field, tc.msg)
		})
	}
	after := c.issue("ENG-1", "")
	if jPath(after, "fields", "updated") != jPath(before, "fields", "updated") {
		t.Errorf("a refused edit changed ENG-1")
	}
	// Just under the limit is accepted.
	c.do("POST", "/issue/ENG-1/comment", map[string]any{"body": adf(strings.Repeat("x", 32000))}).want(t, 201)
}
